import {
  datasetMetrics,
  HEALTH_METRICS,
  parsePipeStatus,
  type CheckResults,
} from '../../../lambda/health-monitor/health';
import { datasetQueries } from '../../../lambda/health-monitor/queries';
import { HealthMonitorConfigError, readHealthMonitorConfig } from '../../../lambda/health-monitor/environment';
import { schemaNames } from '../../../snowflake/names';

const schemas = schemaNames('ingest');
const NOW = new Date('2026-01-01T12:00:00.000Z');
const names = { task: 'ORDERS_MERGE', stream: 'ORDERS_STREAM' };

const healthy: CheckResults = {
  pipe: { rows: [{ STATUS: '{"executionState":"RUNNING","pendingFileCount":2}' }] },
  loads: { rows: [{ FILES: '4', FAILED_FILES: '0', ERROR_ROWS: '0', ROWS_LOADED: '1200' }] },
  taskRuns: { rows: [{ FAILED_RUNS: '0', SUCCEEDED_RUNS: '3', LAST_ERROR: null }] },
  task: { rows: [{ name: 'ORDERS_MERGE', state: 'started' }] },
  stream: { rows: [{ name: 'ORDERS_STREAM', stale: 'false', stale_after: '2026-01-15T12:00:00.000Z' }] },
  merge: { rows: [{ PENDING_ROWS: '0', OLDEST_PENDING_SECONDS: '0' }] },
};
const values = (r: ReturnType<typeof datasetMetrics>) => Object.fromEntries(r.points.map((p) => [p.name, p.value]));

describe('datasetQueries', () => {
  test('GIVEN a dataset THEN every statement uses quoted, qualified names and escaped literals', () => {
    const q = datasetQueries(schemas, 'orders', 5);
    expect(q.pipe).toBe(`SELECT SYSTEM$PIPE_STATUS('"INGEST"."RAW"."ORDERS_PIPE"') AS "STATUS"`);
    expect(q.loads).toContain(
      `FROM TABLE("INGEST".INFORMATION_SCHEMA.COPY_HISTORY(TABLE_NAME => '"INGEST"."RAW"."ORDERS"', START_TIME => DATEADD(MINUTE, -5, CURRENT_TIMESTAMP())))`,
    );
    expect(q.taskRuns).toContain(`TASK_NAME => 'ORDERS_MERGE'`);
    expect(q.taskRuns).toContain(`WHERE "DATABASE_NAME" = 'INGEST' AND "SCHEMA_NAME" = 'CORE'`);
    expect(q.task).toBe(`SHOW TASKS LIKE 'ORDERS_MERGE' IN SCHEMA "INGEST"."CORE"`);
    expect(q.stream).toBe(`SHOW STREAMS LIKE 'ORDERS_STREAM' IN SCHEMA "INGEST"."RAW"`);
    expect(q.merge).toContain(`FROM "INGEST"."RAW"."ORDERS_STREAM"`);
  });

  test('GIVEN a 5-minute window THEN task runs are counted by completion time, auto-suspending failures included, fetched from 65 minutes back', () => {
    const q = datasetQueries(schemas, 'orders', 5).taskRuns;
    expect(q).toContain(`COUNT_IF("STATE" IN ('FAILED', 'FAILED_AND_AUTO_SUSPENDED')) AS "FAILED_RUNS"`);
    expect(q).toContain(`SCHEDULED_TIME_RANGE_START => DATEADD(MINUTE, -65, CURRENT_TIMESTAMP())`);
    expect(q).toMatch(/AND "COMPLETED_TIME" >= DATEADD\(MINUTE, -5, CURRENT_TIMESTAMP\(\)\)$/);
  });

  test('GIVEN a hostile dataset name or window THEN no SQL is built', () => {
    expect(() => datasetQueries(schemas, "orders'; DROP TABLE x; --", 5)).toThrow('Invalid Snowflake identifier');
    expect(() => datasetQueries(schemas, 'orders', 0)).toThrow(RangeError);
  });
});

describe('datasetMetrics', () => {
  test('GIVEN a healthy dataset THEN every metric is published with healthy values', () => {
    const r = datasetMetrics('orders', names, healthy, NOW);
    expect(values(r)).toEqual({
      [HEALTH_METRICS.pipeNotRunning]: 0,
      [HEALTH_METRICS.pipePendingFiles]: 2,
      [HEALTH_METRICS.loadFailedFiles]: 0,
      [HEALTH_METRICS.loadErrorRows]: 0,
      [HEALTH_METRICS.rowsLoaded]: 1200,
      [HEALTH_METRICS.taskFailedRuns]: 0,
      [HEALTH_METRICS.taskSuspended]: 0,
      [HEALTH_METRICS.streamStale]: 0,
      [HEALTH_METRICS.streamHoursToStale]: 14 * 24,
      [HEALTH_METRICS.mergePendingRows]: 0,
      [HEALTH_METRICS.mergeOldestPendingSeconds]: 0,
      [HEALTH_METRICS.checkErrors]: 0,
    });
    expect(r.problems).toEqual([]);
    expect(r.points.every((p) => p.dataset === 'orders')).toBe(true);
  });

  test('GIVEN a paused pipe, failed loads and task runs, a suspended task and a stale stream THEN each shows', () => {
    const r = datasetMetrics(
      'orders',
      names,
      {
        ...healthy,
        pipe: { rows: [{ STATUS: '{"executionState":"PAUSED","pendingFileCount":7}' }] },
        loads: { rows: [{ FILES: '4', FAILED_FILES: '2', ERROR_ROWS: '31', ROWS_LOADED: '10' }] },
        taskRuns: { rows: [{ FAILED_RUNS: '3', SUCCEEDED_RUNS: '0', LAST_ERROR: 'Numeric value is not recognized' }] },
        task: { rows: [{ name: 'ORDERS_MERGE', state: 'suspended' }] },
        stream: { rows: [{ name: 'ORDERS_STREAM', stale: 'true', stale_after: '2025-12-31T00:00:00.000Z' }] },
        merge: { rows: [{ PENDING_ROWS: '500', OLDEST_PENDING_SECONDS: '5400' }] },
      },
      NOW,
    );
    expect(values(r)).toMatchObject({
      PipeNotRunning: 1,
      PipePendingFiles: 7,
      LoadFailedFiles: 2,
      LoadErrorRows: 31,
      TaskFailedRuns: 3,
      TaskSuspended: 1,
      StreamStale: 1,
      StreamHoursToStale: 0,
      MergePendingRows: 500,
      MergeOldestPendingSeconds: 5400,
      CheckErrors: 0,
    });
    expect(r.problems).toEqual([
      'pipe: executionState PAUSED',
      'taskRuns: 3 failed run(s), last error: Numeric value is not recognized',
      'task: ORDERS_MERGE is suspended',
      'stream: ORDERS_STREAM is stale',
    ]);
  });

  test('GIVEN failed checks or missing objects THEN they count as CheckErrors and publish nothing of their own', () => {
    const r = datasetMetrics(
      'orders',
      names,
      {
        ...healthy,
        loads: { error: 'SnowflakeQueryError: Object does not exist' },
        task: { rows: [] },
        pipe: { rows: [{ STATUS: 'not json' }] },
      },
      NOW,
    );
    const v = values(r);
    expect(v.CheckErrors).toBe(3);
    for (const missing of ['PipeNotRunning', 'PipePendingFiles', 'LoadFailedFiles', 'TaskSuspended']) {
      expect(v).not.toHaveProperty(missing);
    }
    expect(v.StreamStale).toBe(0);
    expect(r.problems).toEqual([
      'pipe: SYSTEM$PIPE_STATUS returned no JSON object: "not json"',
      'loads: SnowflakeQueryError: Object does not exist',
      'task: ORDERS_MERGE does not exist',
    ]);
  });

  test('GIVEN SHOW rows for look-alike names (LIKE treats _ as a wildcard) THEN only the exact object counts', () => {
    const r = datasetMetrics(
      'orders',
      names,
      {
        task: {
          rows: [
            { name: 'ORDERSXMERGE', state: 'suspended' },
            { name: 'ORDERS_MERGE', state: 'started' },
          ],
        },
      },
      NOW,
    );
    expect(values(r)).toEqual({ TaskSuspended: 0, CheckErrors: 0 });
  });
});

describe('parsePipeStatus', () => {
  test('GIVEN SYSTEM$PIPE_STATUS JSON THEN state, pending files and error are read', () => {
    expect(
      parsePipeStatus('{"executionState":"STALLED_EXECUTION_ERROR","pendingFileCount":0,"error":"access denied"}'),
    ).toEqual({ executionState: 'STALLED_EXECUTION_ERROR', pendingFileCount: 0, error: 'access denied' });
    expect(() => parsePipeStatus('{"pendingFileCount":1}')).toThrow('has no executionState');
  });
});

describe('readHealthMonitorConfig', () => {
  const env = {
    SNOWFLAKE_CONNECTION: JSON.stringify({
      account: 'ORG-ACC',
      user: 'MONITOR',
      role: 'MONITOR_ROLE',
      warehouse: 'WH',
      privateKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:k-AbCdEf',
    }),
    SNOWFLAKE_SCHEMAS: JSON.stringify({ database: 'INGEST' }),
    HEALTH_MONITOR_DATASETS: 'orders, events',
    PIPELINE_ENVIRONMENT: 'prod',
  };

  test('GIVEN a complete environment THEN the config is read with defaults', () => {
    expect(readHealthMonitorConfig(env)).toMatchObject({
      datasets: ['orders', 'events'],
      windowMinutes: 5,
      environmentName: 'prod',
      schemas: { database: 'INGEST', raw: 'RAW', core: 'CORE' },
    });
  });

  test.each([
    [{ SNOWFLAKE_CONNECTION: undefined }, 'SNOWFLAKE_CONNECTION is not set'],
    [{ SNOWFLAKE_CONNECTION: '[1]' }, 'SNOWFLAKE_CONNECTION is not a JSON object'],
    [{ SNOWFLAKE_CONNECTION: '{"account":"A"}' }, 'SNOWFLAKE_CONNECTION.user must be a non-empty string'],
    [{ SNOWFLAKE_SCHEMAS: '{"database":"bad name"}' }, 'SNOWFLAKE_SCHEMAS: Invalid Snowflake identifier'],
    [{ HEALTH_MONITOR_DATASETS: ' , ' }, 'HEALTH_MONITOR_DATASETS lists no dataset'],
    [{ HEALTH_MONITOR_DATASETS: 'Orders' }, 'HEALTH_MONITOR_DATASETS: "Orders" is not a dataset name'],
    [{ HEALTH_MONITOR_WINDOW_MINUTES: '0' }, 'HEALTH_MONITOR_WINDOW_MINUTES "0" must be 1..10080'],
  ])('GIVEN %j THEN the error names the variable', (override, message) => {
    expect(() => readHealthMonitorConfig({ ...env, ...override })).toThrow(HealthMonitorConfigError);
    expect(() => readHealthMonitorConfig({ ...env, ...override })).toThrow(message);
  });
});
