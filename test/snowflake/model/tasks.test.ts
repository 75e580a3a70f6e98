import {
  DataModelError,
  DependencyCycleError,
  SqlFileError,
  buildDatasetModel,
  createTaskStatement,
  mergeTaskDefinition,
  normaliseSchedule,
  parseFollowUpTaskFile,
  planFollowUpTasks,
  planTaskGraphUpdate,
} from '../../../snowflake/model';
import type { FollowUpTaskSpec } from '../../../snowflake/model';
import { REFERENCE_DATASETS, SCHEMAS, referenceModel } from './duckdb-model';

const models = REFERENCE_DATASETS.map((d) => buildDatasetModel(d, SCHEMAS));

describe('merge task', () => {
  test('GIVEN no task options WHEN rendered THEN it is serverless, triggered by the stream, with no SCHEDULE', () => {
    const sql = createTaskStatement(mergeTaskDefinition(referenceModel('listings')));
    expect(sql.split('\nAS\n')[0]).toBe(
      [
        'CREATE TASK "INGEST"."CORE"."LISTINGS_MERGE"',
        "  USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE = 'XSMALL'",
        "  TARGET_COMPLETION_INTERVAL = '5 MINUTES'",
        '  OVERLAP_POLICY = NO_OVERLAP',
        '  SUSPEND_TASK_AFTER_NUM_FAILURES = 10',
        "  TIMEZONE = 'UTC'",
        "  COMMENT = 'Merges new rows of listings from the bronze stream into silver (managed by the pipeline).'",
        `  WHEN SYSTEM$STREAM_HAS_DATA('"INGEST"."RAW"."LISTINGS_STREAM"')`,
      ].join('\n'),
    );
    expect(sql).not.toContain('SCHEDULE');
    expect(sql).not.toMatch(/\bWAREHOUSE =/);
    expect(sql.split('\nAS\n')[1]).toMatch(/^EXECUTE IMMEDIATE \$\$/);
  });

  test('GIVEN a warehouse and a schedule WHEN rendered THEN WAREHOUSE and SCHEDULE are set, the WHEN guard kept, no serverless options', () => {
    const spec = { ...REFERENCE_DATASETS[0]!, task: { warehouse: 'etl_wh', schedule: '5 MINUTE' } };
    const sql = createTaskStatement(mergeTaskDefinition(buildDatasetModel(spec, SCHEMAS)));
    expect(sql).toContain('\n  WAREHOUSE = "ETL_WH"\n');
    expect(sql).toContain("\n  SCHEDULE = '5 MINUTES'\n");
    expect(sql).toContain('\n  WHEN SYSTEM$STREAM_HAS_DATA(');
    expect(sql).not.toMatch(/USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE|TARGET_COMPLETION_INTERVAL/);
  });

  test('GIVEN a serverless scheduled task WHEN rendered THEN it keeps the initial size but needs no target completion interval', () => {
    const spec = { ...REFERENCE_DATASETS[0]!, task: { schedule: 'USING CRON 0 * * * * UTC' } };
    const sql = createTaskStatement(
      mergeTaskDefinition(buildDatasetModel(spec, SCHEMAS), { initialWarehouseSize: 'SMALL' }),
    );
    expect(sql).toContain("USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE = 'SMALL'");
    expect(sql).toContain("SCHEDULE = 'USING CRON 0 * * * * UTC'");
    expect(sql).not.toContain('TARGET_COMPLETION_INTERVAL');
  });

  test('GIVEN invalid options WHEN rendered THEN the error names the dataset and option', () => {
    expect(() => mergeTaskDefinition(referenceModel('listings'), { initialWarehouseSize: 'HUGE' })).toThrow(
      new DataModelError(
        'datasets.listings.task: initialWarehouseSize must be one of XSMALL, SMALL, MEDIUM, LARGE, XLARGE, XXLARGE',
      ),
    );
    expect(() => mergeTaskDefinition(referenceModel('listings'), { timezone: "UTC'; DROP" })).toThrow(
      'datasets.listings.task: invalid timezone',
    );
    expect(() => normaliseSchedule('every hour', 'x.schedule')).toThrow('x.schedule: invalid schedule "every hour"');
    expect(normaliseSchedule('1 hour', 'x')).toBe('1 HOURS');
  });
});

describe('follow-up tasks', () => {
  const spec = (name: string, after: string[], sql = 'SELECT 1'): FollowUpTaskSpec => ({ name, after, sql });

  test('GIVEN a task file WHEN parsed THEN headers give predecessors, warehouse and comment, and the body loses its trailing ;', () => {
    const parsed = parseFollowUpTaskFile(
      'snowflake/tasks/price_snapshot.sql',
      '-- after: listings, other\n-- warehouse: report_wh\n-- comment: Snapshot prices\n\nINSERT INTO core.snap SELECT * FROM core.listings;\n',
    );
    expect(parsed).toEqual({
      name: 'price_snapshot',
      after: ['listings', 'other'],
      sql: 'INSERT INTO core.snap SELECT * FROM core.listings',
      warehouse: 'report_wh',
      comment: 'Snapshot prices',
      source: 'snowflake/tasks/price_snapshot.sql',
    });
    expect(() => parseFollowUpTaskFile('t/x.sql', 'SELECT 1')).toThrow(
      new SqlFileError('t/x.sql', 'needs a "-- after: <dataset or task>" header'),
    );
    expect(() => parseFollowUpTaskFile('t/Bad-Name.sql', '-- after: a\nSELECT 1')).toThrow(
      't/Bad-Name.sql: file name must match',
    );
  });

  test('GIVEN a chain after a dataset WHEN planned THEN children use AFTER, inherit compute, and form one graph rooted at the MERGE task', () => {
    const plan = planFollowUpTasks([spec('second', ['first']), spec('first', ['listings'])], models, SCHEMAS);
    expect(plan.tasks.map((t) => t.name.join('.'))).toEqual(['INGEST.CORE.FIRST', 'INGEST.CORE.SECOND']);
    const sql = createTaskStatement(plan.tasks[1]!);
    expect(sql).toContain('\n  AFTER "INGEST"."CORE"."FIRST"\n');
    expect(sql).toContain("USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE = 'XSMALL'");
    expect(sql).not.toMatch(/SCHEDULE|WHEN/);
    expect(plan.graphs).toEqual([
      {
        root: ['INGEST', 'CORE', 'LISTINGS_MERGE'],
        children: [
          { name: ['INGEST', 'CORE', 'FIRST'], after: [['INGEST', 'CORE', 'LISTINGS_MERGE']] },
          { name: ['INGEST', 'CORE', 'SECOND'], after: [['INGEST', 'CORE', 'FIRST']] },
        ],
      },
    ]);
  });

  test('GIVEN unknown predecessors, cycles, two roots or name clashes WHEN planned THEN each is a clear error', () => {
    expect(() => planFollowUpTasks([spec('a', ['nope'])], models, SCHEMAS)).toThrow(
      'task a: after: unknown dataset or task "nope"',
    );
    expect(() => planFollowUpTasks([spec('a', ['b']), spec('b', ['a'])], models, SCHEMAS)).toThrow(
      new DependencyCycleError('follow-up tasks', ['a', 'b', 'a']),
    );
    expect(() => planFollowUpTasks([spec('a', ['listings', 'weather'])], models, SCHEMAS)).toThrow(
      'predecessors belong to different task graphs (listings, weather)',
    );
    expect(() => planFollowUpTasks([spec('listings_merge', ['listings'])], models, SCHEMAS)).toThrow(
      'collides with a dataset object',
    );
  });
});

describe('task graph update plan', () => {
  const root = ['DB', 'CORE', 'ROOT'] as const;
  const a = ['DB', 'CORE', 'A'] as const;
  const b = ['DB', 'CORE', 'B'] as const;
  const c = ['DB', 'CORE', 'C'] as const;

  test('GIVEN a graph WHEN planned THEN suspend root, apply, resume children deepest first, then root; on error the same resumes', () => {
    const plan = planTaskGraphUpdate(
      {
        root,
        children: [
          { name: a, after: [root] },
          { name: b, after: [a] },
          { name: c, after: [root] },
        ],
      },
      ['CREATE OR ALTER TASK "DB"."CORE"."A" AS SELECT 2'],
    );
    expect(plan.suspend).toEqual(['ALTER TASK "DB"."CORE"."ROOT" SUSPEND']);
    expect(plan.apply).toEqual(['CREATE OR ALTER TASK "DB"."CORE"."A" AS SELECT 2']);
    expect(plan.resume).toEqual([
      'ALTER TASK "DB"."CORE"."B" RESUME',
      'ALTER TASK "DB"."CORE"."A" RESUME',
      'ALTER TASK "DB"."CORE"."C" RESUME',
      'ALTER TASK "DB"."CORE"."ROOT" RESUME',
    ]);
    expect(plan.restoreOnError).toEqual(plan.resume);
  });

  test('GIVEN a child whose predecessor is outside the graph WHEN planned THEN it is rejected', () => {
    expect(() => planTaskGraphUpdate({ root, children: [{ name: b, after: [a] }] }, [])).toThrow(
      'task DB.CORE.B: predecessor(s) DB.CORE.A are not in the graph of DB.CORE.ROOT',
    );
  });
});
