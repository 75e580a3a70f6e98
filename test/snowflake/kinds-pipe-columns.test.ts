/**
 * The pipe kind's target column list (COPY INTO t (c1, …) FROM (SELECT e1, … FROM @stage/path)) and the
 * manifests pipe built with it: rendered SQL, the expression grammar, and plans on a live pipe.
 */
import { pipeKind, renderCopy } from '../../snowflake/kinds/pipe';
import { BRONZE_COLUMNS, MANIFEST_COLUMNS, schemaNames } from '../../snowflake/names';
import { manifestsCopyStatement, manifestsPipeDefinition } from '../../snowflake/model/ledger';
import { ORDERS_PIPE, runningPipeState } from './support/pipes';

const SQS = 'arn:aws:sqs:eu-west-1:123456789012:sf-snowpipe-TEST';
const schemas = schemaNames('ingest_dev');
const manifests = pipeKind.schema.parse(manifestsPipeDefinition(schemas));

describe('pipe target columns', () => {
  test('GIVEN a dataset pipe (no columns) WHEN rendered THEN the COPY is exactly the bronze COPY deployed so far (no recreation of existing pipes)', () => {
    expect(renderCopy(ORDERS_PIPE)).toBe(
      'COPY INTO "INGEST_DEV"."RAW"."ORDERS" ("RECORD", "SOURCE", "SOURCE_KEY", "SOURCE_ROW", "RECEIVED_AT", "STAGE_FILE", "STAGE_ROW", "LOADED_AT") ' +
        'FROM (SELECT $1:record, $1:source::VARCHAR, $1:source_key::VARCHAR, $1:source_row::NUMBER(38,0), $1:received_at::TIMESTAMP_TZ, ' +
        'METADATA$FILENAME, METADATA$FILE_ROW_NUMBER, METADATA$START_SCAN_TIME FROM @"INGEST_DEV"."RAW"."PIPELINE_STAGE"/data/orders/) ' +
        "FILE_FORMAT = (FORMAT_NAME = 'INGEST_DEV.RAW.STAGE_NDJSON_GZ')",
    );
  });

  test('GIVEN the manifests pipe WHEN rendered THEN it loads manifests/ of the RAW stage into OPS.FILE_MANIFESTS, one SELECT item per column', () => {
    expect(manifests).toMatchObject({ database: 'INGEST_DEV', schema: 'OPS', name: 'FILE_MANIFESTS_PIPE' });
    expect(renderCopy(manifests)).toBe(
      'COPY INTO "INGEST_DEV"."OPS"."FILE_MANIFESTS" ("MANIFEST", "STAGE_FILE", "LOADED_AT") ' +
        'FROM (SELECT $1, METADATA$FILENAME, METADATA$START_SCAN_TIME FROM @"INGEST_DEV"."RAW"."PIPELINE_STAGE"/manifests/) ' +
        "FILE_FORMAT = (FORMAT_NAME = 'INGEST_DEV.RAW.STAGE_NDJSON_GZ')",
    );
    expect(manifestsCopyStatement(schemas)).toBe(renderCopy(manifests));
    const [step] = pipeKind.plan(undefined, manifests).steps;
    expect(step.type === 'sql' && step.sql).toMatch(
      /^CREATE PIPE "INGEST_DEV"\."OPS"\."FILE_MANIFESTS_PIPE" AUTO_INGEST = TRUE COMMENT = '[^']+' AS COPY INTO "INGEST_DEV"\."OPS"\."FILE_MANIFESTS" /,
    );
  });

  test('GIVEN BRONZE_COLUMNS and MANIFEST_COLUMNS as explicit lists THEN the kind accepts every expression', () => {
    for (const list of [BRONZE_COLUMNS, MANIFEST_COLUMNS])
      expect(
        pipeKind.schema.safeParse({ ...ORDERS_PIPE, columns: list.map((c) => ({ name: c.name, from: c.from })) })
          .success,
      ).toBe(true);
  });

  test.each([
    ['CURRENT_TIMESTAMP()', 'columns.0.from'],
    ['$1; DROP TABLE X', 'columns.0.from'],
    ['$1:a::VARCHAR) FROM @x --', 'columns.0.from'],
    ['METADATA$ANYTHING', 'columns.0.from'],
    ['$0', 'columns.0.from'],
  ])('GIVEN the expression %j WHEN parsed THEN rejected at %s', (from, path) => {
    const r = pipeKind.schema.safeParse({ ...ORDERS_PIPE, columns: [{ name: 'MANIFEST', from }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  test('GIVEN no column, a column named twice or a bad column name WHEN parsed THEN rejected with the reason', () => {
    const issues = (columns: unknown) =>
      pipeKind.schema
        .safeParse({ ...ORDERS_PIPE, columns })
        .error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues([])).toEqual(['columns: must list at least one column']);
    expect(
      issues([
        { name: 'a', from: '$1' },
        { name: 'A', from: '$1' },
      ]),
    ).toEqual(['columns: must not name a column twice']);
    expect(issues([{ name: 'a b', from: '$1' }])?.[0]).toMatch(/^columns\.0\.name: must be a Snowflake identifier/);
  });

  test('GIVEN the running manifests pipe WHEN planned with the same columns THEN no-op; with another column list THEN recreated by procedure', () => {
    const running = runningPipeState(manifests, SQS);
    expect(pipeKind.plan({ ...running, comment: manifests.comment ?? null }, manifests).change).toBe('no-op');
    const fewer = { ...manifests, columns: manifests.columns!.slice(0, 2) };
    const plan = pipeKind.plan({ ...running, comment: manifests.comment ?? null }, fewer);
    expect(plan.change).toBe('replace-by-procedure');
    expect(plan.steps[0]).toMatchObject({ sql: expect.stringContaining('SET PIPE_EXECUTION_PAUSED = TRUE') });
  });
});
