/**
 * The health monitor against the Snowflake-protocol test server: the real snowflake-sdk logs in
 * with a key pair and runs the monitor's statements; replies script a healthy dataset and a broken
 * one (paused pipe, failed loads, suspended task, stale stream, a failing statement).
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { collectHealth } from '../../../lambda/health-monitor/monitor';
import { publishPoints } from '../../../lambda/health-monitor/publish';
import type { SnowflakeSession } from '../../../lambda/shared/snowflake/connection';
import { schemaNames } from '../../../snowflake/names';
import { SnowflakeTestServer } from '../../support/snowflake-server';
import { startMonitorSession } from './monitor-session';
import { captureEmfLines } from '../../support/emf';

describe('health monitor against a Snowflake-protocol server', () => {
  const server = new SnowflakeTestServer();
  let session: SnowflakeSession;
  const NOW = new Date('2026-01-01T12:00:00.000Z');

  beforeAll(async () => {
    session = await startMonitorSession(server);
    // orders: healthy
    server.replyTo({
      match: /PIPE_STATUS\('"INGEST"\."RAW"\."ORDERS_PIPE"'\)/,
      rows: [{ STATUS: '{"executionState":"RUNNING","pendingFileCount":1}' }],
    });
    server.replyTo({
      match: /COPY_HISTORY\(TABLE_NAME => '"INGEST"\."RAW"\."ORDERS"'/,
      rows: [{ FILES: '2', FAILED_FILES: '0', ERROR_ROWS: '0', ROWS_LOADED: '40' }],
    });
    server.replyTo({
      match: /TASK_NAME => 'ORDERS_MERGE'/,
      rows: [{ FAILED_RUNS: '0', SUCCEEDED_RUNS: '1', LAST_ERROR: null }],
    });
    server.replyTo({ match: /^SHOW TASKS LIKE 'ORDERS_MERGE'/, rows: [{ name: 'ORDERS_MERGE', state: 'started' }] });
    server.replyTo({
      match: /^SHOW STREAMS LIKE 'ORDERS_STREAM'/,
      rows: [{ name: 'ORDERS_STREAM', stale: 'false', stale_after: '2026-01-02T12:00:00.000Z' }],
    });
    server.replyTo({
      match: /FROM "INGEST"\."RAW"\."ORDERS_STREAM"$/,
      rows: [{ PENDING_ROWS: '40', OLDEST_PENDING_SECONDS: '30' }],
    });
    server.replyTo({
      match: /FROM "INGEST"\."CORE"\."ORDERS_REJECTS" WHERE "REASON" = 'CAST_FAILED'/,
      rows: [{ CAST_FAILURES: '0' }],
    });
    // events: broken
    server.replyTo({
      match: /FROM "INGEST"\."CORE"\."EVENTS_REJECTS" WHERE "REASON" = 'CAST_FAILED'/,
      rows: [{ CAST_FAILURES: '3' }],
    });
    server.replyTo({
      match: /PIPE_STATUS\('"INGEST"\."RAW"\."EVENTS_PIPE"'\)/,
      rows: [{ STATUS: '{"executionState":"PAUSED","pendingFileCount":12}' }],
    });
    server.failOn({
      match: /COPY_HISTORY\(TABLE_NAME => '"INGEST"\."RAW"\."EVENTS"'/,
      code: '002003',
      sqlState: '02000',
      message: 'Table EVENTS does not exist or not authorized.',
      times: Infinity,
    });
    server.replyTo({
      match: /TASK_NAME => 'EVENTS_MERGE'/,
      rows: [{ FAILED_RUNS: '2', SUCCEEDED_RUNS: '0', LAST_ERROR: 'Numeric value abc is not recognized' }],
    });
    server.replyTo({ match: /^SHOW TASKS LIKE 'EVENTS_MERGE'/, rows: [{ name: 'EVENTS_MERGE', state: 'suspended' }] });
    server.replyTo({
      match: /^SHOW STREAMS LIKE 'EVENTS_STREAM'/,
      rows: [{ name: 'EVENTS_STREAM', stale: 'true', stale_after: '2025-12-30T00:00:00.000Z' }],
    });
    server.failOn({
      match: /FROM "INGEST"\."RAW"\."EVENTS_STREAM"$/,
      code: '091901',
      sqlState: '55000',
      message: 'Base table has been dropped, cannot read from stream.',
      times: Infinity,
    });
  });

  afterAll(async () => {
    await session?.close();
    await server.stop();
  });

  test('GIVEN a healthy and a broken dataset WHEN collected and published THEN the metrics say which is which', async () => {
    server.clearLog();
    const reports = await collectHealth(session, {
      schemas: schemaNames('INGEST'),
      datasets: ['orders', 'events'],
      windowMinutes: 5,
      now: NOW,
    });
    expect(server.statements).toHaveLength(14); // seven checks per dataset, one statement each

    // Powertools writes EMF lines to stdout (single metrics ignore a custom logger): capture them.
    const { lines } = await captureEmfLines(() => {
      const metrics = new Metrics({
        namespace: 'S3SnowflakePipeline',
        serviceName: 'health-monitor',
        defaultDimensions: { environment: 'dev' },
      });
      publishPoints(
        metrics,
        reports.flatMap((r) => r.points),
      );
    });

    const published: Record<string, number> = {};
    for (const line of lines) {
      const emf = JSON.parse(line) as Record<string, unknown> & {
        _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
      };
      const directive = emf._aws.CloudWatchMetrics[0];
      expect(directive.Namespace).toBe('S3SnowflakePipeline');
      expect(directive.Dimensions[0]).toEqual(expect.arrayContaining(['service', 'environment', 'dataset']));
      expect(emf).toMatchObject({ service: 'health-monitor', environment: 'dev' });
      const name = directive.Metrics[0].Name;
      published[`${String(emf.dataset)}.${name}`] = emf[name] as number;
    }
    expect(published).toEqual({
      'orders.PipeNotRunning': 0,
      'orders.PipePendingFiles': 1,
      'orders.LoadFailedFiles': 0,
      'orders.LoadErrorRows': 0,
      'orders.RowsLoaded': 40,
      'orders.TaskFailedRuns': 0,
      'orders.TaskSuspended': 0,
      'orders.StreamStale': 0,
      'orders.StreamHoursToStale': 24,
      'orders.MergePendingRows': 40,
      'orders.MergeOldestPendingSeconds': 30,
      'orders.CheckErrors': 0,
      'orders.CastFailures': 0,
      'events.PipeNotRunning': 1,
      'events.PipePendingFiles': 12,
      'events.TaskFailedRuns': 2,
      'events.TaskSuspended': 1,
      'events.StreamStale': 1,
      'events.StreamHoursToStale': 0,
      'events.CheckErrors': 2,
      'events.CastFailures': 3,
    });
    expect(reports[1].problems).toEqual([
      'pipe: executionState PAUSED',
      expect.stringMatching(/^loads: SnowflakeQueryError: .*Table EVENTS does not exist/),
      'taskRuns: 2 failed run(s), last error: Numeric value abc is not recognized',
      'task: EVENTS_MERGE is suspended',
      'stream: EVENTS_STREAM is stale',
      expect.stringMatching(/^merge: SnowflakeQueryError: .*cannot read from stream/),
      "castFailures: 3 value(s) failed their column's cast (CAST_FAILED rejects)",
    ]);
  });

  test('GIVEN a split target (no pipe of its own) WHEN collected THEN its pipe and load checks are not run, the rest are', async () => {
    server.clearLog();
    // orders is declared a split target here: its rows would come through another dataset's pipe.
    const reports = await collectHealth(session, {
      schemas: schemaNames('INGEST'),
      datasets: ['orders'],
      splitTargets: ['orders'],
      windowMinutes: 5,
      now: NOW,
    });
    expect(server.statements.filter((s) => /PIPE_STATUS|COPY_HISTORY/.test(s))).toEqual([]);
    expect(server.statements).toHaveLength(5); // taskRuns, task, stream, merge, castFailures
    const names = reports[0].points.map((p) => p.name);
    expect(names).not.toEqual(expect.arrayContaining(['PipeNotRunning']));
    expect(names).toEqual(
      expect.arrayContaining(['TaskFailedRuns', 'MergePendingRows', 'CastFailures', 'CheckErrors']),
    );
    expect(reports[0].problems).toEqual([]);
  });
});
