/**
 * OPS.FILE_MANIFESTS_PIPE through the real provisioner handler and snowflake-sdk against the strict
 * Snowflake-protocol test server: created after its table and the RAW stage, loads manifests/ (not data/),
 * no-op when unchanged, a column-list change by the pipe procedure, Delete under retain / destroy, and a
 * COPY naming a column the table lacks fails like Snowflake.
 */
import { createHandler } from '../../../lambda/snowflake-provisioner/index';
import type { IngestionObject } from '../../../snowflake/ingestion-objects';
import { cfnEvent, startHarness } from './harness';
import type { Harness } from './harness';
import { props, testObjects } from './objects';

const PIPE = 'INGEST_TEST.OPS.FILE_MANIFESTS_PIPE';
const QPIPE = '"INGEST_TEST"."OPS"."FILE_MANIFESTS_PIPE"';
const datasets = [{ name: 'orders', format: 'json' as const, columns: [{ name: 'id', type: 'NUMBER(38,0)' }] }];
const objects = testObjects(datasets, { dataModel: { datasets } });
const pipeObject = objects.get('FileManifestsPipe')!;

let h: Harness;
let handler: ReturnType<typeof createHandler>;
const run = (type: 'Create' | 'Update' | 'Delete', o: IngestionObject, extra: Record<string, unknown> = {}) =>
  handler(cfnEvent(type, o.id, props(h.connection, o, extra), type === 'Create' ? undefined : PIPE));

beforeAll(async () => {
  h = await startHarness();
  handler = createHandler({ session: { attempts: 1 }, apply: { sleep: async () => undefined } });
  for (const o of objects.values()) if (o.id !== pipeObject.id) await run('Create', o);
});
afterAll(() => h.stop());
beforeEach(() => h.snowflake.clearLog());

describe('GIVEN the ingestion and data-model objects of one dataset', () => {
  test('WHEN the manifests pipe is created THEN one CREATE PIPE AUTO_INGEST over manifests/ into OPS.FILE_MANIFESTS, and its channel is returned', async () => {
    const out = await run('Create', pipeObject);
    expect(out.PhysicalResourceId).toBe(PIPE);
    expect(out.Data).toMatchObject({ ChangeKind: 'create', NotificationChannel: h.snowflake.catalog.sqsArn });
    expect(h.snowflake.ddl).toEqual([
      `CREATE PIPE ${QPIPE} AUTO_INGEST = TRUE COMMENT = 'Loads manifests/ (file manifests written by the parser) into INGEST_TEST.OPS.FILE_MANIFESTS' AS ` +
        'COPY INTO "INGEST_TEST"."OPS"."FILE_MANIFESTS" ("MANIFEST", "STAGE_FILE", "LOADED_AT") ' +
        'FROM (SELECT $1, METADATA$FILENAME, METADATA$START_SCAN_TIME FROM @"INGEST_TEST"."RAW"."PIPELINE_STAGE"/manifests/) ' +
        "FILE_FORMAT = (FORMAT_NAME = 'INGEST_TEST.RAW.STAGE_NDJSON_GZ')",
    ]);
  });

  test('WHEN a manifest and a stage file arrive THEN the manifests pipe queues the manifest only (the orders pipe the data file)', () => {
    const c = h.snowflake.catalog;
    const queued: Record<string, string[]> = {};
    for (const p of c.pipes.values()) p.paused = true;
    c.notify('manifests/orders/2026-11-20/acme/a.json.gz', new Date());
    c.notify('data/orders/2026-11-20/acme/a.ndjson.gz', new Date());
    for (const [name, p] of c.pipes) {
      queued[name] = p.pending.map((f) => f.path);
      p.pending.length = 0;
      p.paused = false;
    }
    expect(queued).toEqual({
      'INGEST_TEST.RAW.ORDERS_PIPE': ['data/orders/2026-11-20/acme/a.ndjson.gz'],
      [PIPE]: ['manifests/orders/2026-11-20/acme/a.json.gz'],
    });
  });

  test('WHEN updated with unchanged properties THEN no DDL and no-op', async () => {
    const out = await run('Update', pipeObject);
    expect(out.Data.ChangeKind).toBe('no-op');
    expect(h.snowflake.ddl).toEqual([]);
  });

  test('WHEN its column list changes THEN it is recreated by the procedure: pause, recreate, resume, REFRESH, comment restored', async () => {
    const columns = (pipeObject.definition.columns as { name: string; from: string }[]).slice(0, 2);
    const changed = { ...pipeObject, definition: { ...pipeObject.definition, columns } };
    const out = await run('Update', changed);
    expect(out.Data.ChangeKind).toBe('replace-by-procedure');
    // In order: pause, recreate (refresh instant in the comment), resume, REFRESH, comment restored.
    const order = [
      `ALTER PIPE ${QPIPE} SET PIPE_EXECUTION_PAUSED = TRUE`,
      `CREATE OR REPLACE PIPE ${QPIPE} AUTO_INGEST = TRUE COMMENT = 'Loads manifests/`,
      `ALTER PIPE ${QPIPE} SET PIPE_EXECUTION_PAUSED = FALSE`,
      `ALTER PIPE ${QPIPE} REFRESH MODIFIED_AFTER = '`,
      `ALTER PIPE ${QPIPE} SET COMMENT = 'Loads manifests/ (file manifests written by the parser) into INGEST_TEST.OPS.FILE_MANIFESTS'`,
    ].map((prefix) => h.snowflake.ddl.findIndex((s) => s.startsWith(prefix)));
    expect(order.every((i, n) => i >= 0 && (n === 0 || i > order[n - 1]))).toBe(true);
    expect(h.snowflake.catalog.refreshes.map((r) => r.pipe)).toContain(PIPE);
    expect(h.snowflake.catalog.pipes.get(PIPE)!.definition).toContain(
      '("MANIFEST", "STAGE_FILE") FROM (SELECT $1, METADATA$FILENAME FROM',
    );
    // Back to the full column list the same way.
    expect((await run('Update', pipeObject)).Data.ChangeKind).toBe('replace-by-procedure');
  });

  test('WHEN a definition names a column OPS.FILE_MANIFESTS lacks THEN the CREATE fails as in Snowflake (invalid identifier) and no pipe is left', async () => {
    const bad = {
      ...pipeObject,
      definition: { ...pipeObject.definition, name: 'BAD_PIPE', columns: [{ name: 'NOPE', from: '$1' }] },
    };
    await expect(handler(cfnEvent('Create', 'Bad', props(h.connection, bad)))).rejects.toThrow(
      /invalid identifier 'NOPE'/,
    );
    expect(h.snowflake.catalog.pipes.has('INGEST_TEST.OPS.BAD_PIPE')).toBe(false);
  });

  test('WHEN deleted under retain THEN untouched; under destroy THEN dropped', async () => {
    expect((await run('Delete', pipeObject)).Data.ChangeKind).toBe('retain');
    expect(h.snowflake.catalog.pipes.has(PIPE)).toBe(true);
    expect((await run('Delete', pipeObject, { removalPolicy: 'destroy' })).Data.ChangeKind).toBe('drop');
    expect(h.snowflake.ddl).toEqual([`DROP PIPE IF EXISTS ${QPIPE}`]);
    expect(h.snowflake.catalog.pipes.has(PIPE)).toBe(false);
  });
});
