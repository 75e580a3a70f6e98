/**
 * The environment-wide ledger checks over the real snowflake-sdk against the Snowflake-protocol test server:
 * unaccounted files and a paused manifests pipe become metrics and problems; a failing statement becomes a
 * LedgerCheckErrors point and never stops the run.
 */
import { collectLedgerHealth } from '../../../lambda/health-monitor/ledger-health';
import type { SnowflakeSession } from '../../../lambda/shared/snowflake/connection';
import { schemaNames } from '../../../snowflake/names';
import { SnowflakeTestServer } from '../../support/snowflake-server';
import { startMonitorSession } from './monitor-session';

describe('ledger health against a Snowflake-protocol server', () => {
  const server = new SnowflakeTestServer();
  let session: SnowflakeSession;
  const schemas = schemaNames('INGEST');

  beforeAll(async () => {
    session = await startMonitorSession(server);
  });
  afterAll(async () => {
    await session?.close();
    await server.stop();
  });
  beforeEach(() => server.clearLog());

  test('GIVEN two unaccounted files and a paused manifests pipe WHEN collected THEN the counts, the oldest age and both problems', async () => {
    server.replyTo({
      match:
        /FROM "INGEST"\."OPS"\."FILE_LEDGER" WHERE NOT COALESCE\("ACCOUNTED", FALSE\) AND "RECEIVED_AT" < DATEADD\(MINUTE, -90, CURRENT_TIMESTAMP\(\)\)$/,
      rows: [{ UNACCOUNTED_FILES: '2', OLDEST_SECONDS: '10800', OLDEST_SOURCE_KEY: 'acme/orders/a.csv' }],
      times: 1,
    });
    server.replyTo({
      match: /PIPE_STATUS\('"INGEST"\."OPS"\."FILE_MANIFESTS_PIPE"'\)/,
      rows: [{ STATUS: '{"executionState":"PAUSED","pendingFileCount":3}' }],
      times: 1,
    });
    const report = await collectLedgerHealth(session, { schemas, graceMinutes: 90 });
    expect(server.statements).toHaveLength(2);
    expect(report.points).toEqual([
      { name: 'UnaccountedFiles', unit: 'Count', value: 2 },
      { name: 'OldestUnaccountedSeconds', unit: 'Seconds', value: 10800 },
      { name: 'ManifestsPipeNotRunning', unit: 'Count', value: 1 },
      { name: 'LedgerCheckErrors', unit: 'Count', value: 0 },
    ]);
    expect(report.problems).toEqual([
      'unaccounted: 2 file(s) not accounted for in OPS.FILE_LEDGER 90 minutes after upload; oldest acme/orders/a.csv (180 minutes)',
      'manifestsPipe: OPS.FILE_MANIFESTS_PIPE is PAUSED: the ledger gets no manifests',
    ]);
  });

  test('GIVEN the monitor role may not read OPS.FILE_LEDGER WHEN collected THEN a check error with the Snowflake message, and the pipe check still runs', async () => {
    server.failOn({
      match: /"OPS"\."FILE_LEDGER"/,
      code: '002003',
      sqlState: '02000',
      message: "Object 'INGEST.OPS.FILE_LEDGER' does not exist or not authorized.",
    });
    server.replyTo({
      match: /FILE_MANIFESTS_PIPE/,
      rows: [{ STATUS: '{"executionState":"RUNNING","pendingFileCount":0}' }],
      times: 1,
    });
    const report = await collectLedgerHealth(session, { schemas, graceMinutes: 60 });
    expect(report.points).toEqual([
      { name: 'ManifestsPipeNotRunning', unit: 'Count', value: 0 },
      { name: 'LedgerCheckErrors', unit: 'Count', value: 1 },
    ]);
    expect(report.problems).toEqual([
      expect.stringMatching(/^unaccounted: SnowflakeQueryError: .*FILE_LEDGER' does not exist/),
    ]);
  });
});
