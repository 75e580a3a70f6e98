/**
 * The deployed entry point end to end: environment read at init, key from a Secrets Manager
 * server, JWT login to the Snowflake-protocol server, checks, EMF metrics with the heartbeat.
 */
import { generateKeyPairSync } from 'crypto';
import { SecretsManagerTestServer } from '../../support/secrets-manager-server';
import { SnowflakeTestServer } from '../../support/snowflake-server';
import { captureEmfLines } from '../../support/emf';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:snowflake/monitor-AbCdEf';

describe('health monitor handler', () => {
  const snowflake = new SnowflakeTestServer();
  const secrets = new SecretsManagerTestServer();
  const saved = { ...process.env };

  beforeAll(async () => {
    const [url, smUrl] = await Promise.all([snowflake.start(), secrets.start()]);
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    snowflake.registerUser('TESTORG-TEST', 'MONITOR', publicKey);
    secrets.put(SECRET_ARN, privateKey);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: smUrl,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      PIPELINE_ENVIRONMENT: 'dev',
      SNOWFLAKE_CONNECTION: JSON.stringify({
        account: 'TESTORG-TEST',
        user: 'MONITOR',
        role: 'MONITOR_ROLE',
        warehouse: 'MONITOR_WH',
        privateKeySecretArn: SECRET_ARN,
        accessUrl: url,
      }),
      SNOWFLAKE_SCHEMAS: JSON.stringify({ database: 'INGEST' }),
      HEALTH_MONITOR_DATASETS: 'orders',
    });
    snowflake.replyTo({
      match: /PIPE_STATUS/,
      rows: [{ STATUS: '{"executionState":"RUNNING","pendingFileCount":0}' }],
    });
    snowflake.replyTo({
      match: /COPY_HISTORY/,
      rows: [{ FILES: '1', FAILED_FILES: '0', ERROR_ROWS: '0', ROWS_LOADED: '5' }],
    });
    snowflake.replyTo({ match: /TASK_HISTORY/, rows: [{ FAILED_RUNS: '0', SUCCEEDED_RUNS: '1', LAST_ERROR: null }] });
    snowflake.replyTo({ match: /^SHOW TASKS/, rows: [{ name: 'ORDERS_MERGE', state: 'started' }] });
    snowflake.replyTo({
      match: /^SHOW STREAMS/,
      rows: [{ name: 'ORDERS_STREAM', stale: 'false', stale_after: '2099-01-01T00:00:00.000Z' }],
    });
    snowflake.replyTo({ match: /_STREAM"$/, rows: [{ PENDING_ROWS: '0', OLDEST_PENDING_SECONDS: '0' }] });
    snowflake.replyTo({ match: /"ORDERS_REJECTS" WHERE "REASON" = 'CAST_FAILED'/, rows: [{ CAST_FAILURES: '0' }] });
    snowflake.replyTo({
      match: /FROM "INGEST"\."OPS"\."FILE_LEDGER" WHERE/,
      rows: [{ UNACCOUNTED_FILES: '0', OLDEST_SECONDS: '0', OLDEST_SOURCE_KEY: null }],
    });
  });

  afterAll(async () => {
    process.env = saved;
    await Promise.all([snowflake.stop(), secrets.stop()]);
  });

  test('GIVEN a scheduled invocation THEN it logs in with the secret key, checks each dataset and publishes the heartbeat', async () => {
    const { result, lines } = await captureEmfLines(async () => {
      const { handler } = await import('../../../lambda/health-monitor/index');
      return handler();
    });
    expect(result).toEqual({ datasets: 1, problems: 0 });
    expect(snowflake.logins).toEqual([{ account: 'TESTORG-TEST', user: 'MONITOR', ok: true }]);
    // Seven checks of the dataset, then the ledger and the manifests pipe.
    expect(snowflake.statements).toHaveLength(9);
    expect(snowflake.statements.at(-1)).toBe(
      `SELECT SYSTEM$PIPE_STATUS('"INGEST"."OPS"."FILE_MANIFESTS_PIPE"') AS "STATUS"`,
    );
    // The grace period: HEALTH_MONITOR_LEDGER_GRACE_MINUTES unset → the documented default, 60 minutes.
    expect(snowflake.statements.at(-2)).toContain(`"RECEIVED_AT" < DATEADD(MINUTE, -60, CURRENT_TIMESTAMP())`);
    const metrics = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(metrics.filter((m) => m.dataset === 'orders')).toHaveLength(13);
    const environmentWide = metrics.filter((m) => !('dataset' in m) && !('MonitorRuns' in m));
    expect(environmentWide.map((m) => Object.keys(m).find((k) => /^[A-Z]/.test(k)))).toEqual([
      'UnaccountedFiles',
      'OldestUnaccountedSeconds',
      'ManifestsPipeNotRunning',
      'LedgerCheckErrors',
    ]);
    expect(metrics).toContainEqual(
      expect.objectContaining({ MonitorRuns: 1, service: 'health-monitor', environment: 'dev' }),
    );
    expect(metrics.find((m) => 'MonitorRuns' in m)).not.toHaveProperty('dataset');
    // No key material anywhere in what was sent to Snowflake besides the signed JWT.
    expect(snowflake.bodies.join('\n')).not.toContain('PRIVATE KEY');
  });
});
