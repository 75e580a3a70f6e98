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
    expect(snowflake.statements).toHaveLength(6);
    const metrics = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(metrics.filter((m) => m.dataset === 'orders')).toHaveLength(12);
    expect(metrics).toContainEqual(
      expect.objectContaining({ MonitorRuns: 1, service: 'health-monitor', environment: 'dev' }),
    );
    expect(metrics.find((m) => 'MonitorRuns' in m)).not.toHaveProperty('dataset');
    // No key material anywhere in what was sent to Snowflake besides the signed JWT.
    expect(snowflake.bodies.join('\n')).not.toContain('PRIVATE KEY');
  });
});
