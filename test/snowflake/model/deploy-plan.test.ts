import { join } from 'node:path';
import { duckdbDataModel, loadGoldViews, dataModelDeploySql } from '../../../snowflake/model';
import { DuckDb } from '../../../bin/sandbox/duckdb';
import { REFERENCE_DATASETS, SCHEMAS } from './duckdb-model';

const goldViews = loadGoldViews(join(__dirname, '../../../snowflake/gold'));

test('GIVEN the reference config WHEN a fresh deploy is planned THEN every dataset yields bronze, stream, silver, rejects, task and the graph is resumed last', () => {
  const plan = dataModelDeploySql({
    datasets: REFERENCE_DATASETS,
    schemas: SCHEMAS,
    goldViews,
    followUpTasks: [{ name: 'price_snapshot', after: ['listings'], sql: 'SELECT 1' }],
    readerRole: 'INGEST_READER',
  });
  const names = plan.map((o) => `${o.kind} ${o.name}`);
  for (const d of REFERENCE_DATASETS) {
    const u = d.name.toUpperCase();
    const at = (n: string) => names.indexOf(n);
    expect(at(`table INGEST.RAW.${u}`)).toBeGreaterThanOrEqual(0);
    expect(at(`table INGEST.RAW.${u}`)).toBeLessThan(at(`stream INGEST.RAW.${u}_STREAM`));
    expect(at(`stream INGEST.RAW.${u}_STREAM`)).toBeLessThan(at(`table INGEST.CORE.${u}`));
    expect(at(`table INGEST.CORE.${u}`)).toBeLessThan(at(`table INGEST.CORE.${u}_REJECTS`));
    expect(at(`table INGEST.CORE.${u}_REJECTS`)).toBeLessThan(at(`task INGEST.CORE.${u}_MERGE`));
    expect(at(`task INGEST.CORE.${u}_MERGE`)).toBeLessThan(at(`task INGEST.CORE.${u}_MERGE (resume graph)`));
  }
  expect(plan.find((o) => o.name === 'INGEST.CORE.LISTINGS_MERGE (resume graph)')?.statements).toEqual([
    'ALTER TASK "INGEST"."CORE"."PRICE_SNAPSHOT" RESUME',
    'ALTER TASK "INGEST"."CORE"."LISTINGS_MERGE" RESUME',
  ]);
  expect(names.filter((n) => n.startsWith('view INGEST.GOLD.'))).toHaveLength(5);
  // The file ledger after every table it reads, before the role.
  expect(names.slice(-3)).toEqual([
    'table INGEST.OPS.FILE_MANIFESTS',
    'view INGEST.OPS.FILE_LEDGER',
    'role INGEST_READER',
  ]);
  expect(names[names.length - 1]).toBe('role INGEST_READER');
  expect(plan.flatMap((o) => o.statements).join('\n')).not.toMatch(/\bDROP\b|CREATE OR REPLACE (TABLE|STREAM|TASK)/);
});

test('GIVEN the reference config WHEN the DuckDB data model is built THEN every statement runs and no shipped view is skipped', async () => {
  const model = duckdbDataModel({ datasets: REFERENCE_DATASETS, schemas: SCHEMAS, goldViews });
  expect(model.skippedViews).toEqual([]);
  const db = await DuckDb.open();
  try {
    await db.runAll(model.statements);
    const views = await db.rows(`SELECT view_name FROM duckdb_views() WHERE schema_name = 'GOLD' ORDER BY view_name`);
    expect(views.map((v) => v.view_name)).toEqual([
      'AVG_PRICE_BY_NEIGHBOURHOOD',
      'EVENTS_PER_ORGANIZATION_HOUR',
      'INSURANCE_BASKET',
      'LATEST_WEATHER',
      'RETAIL_USER_SPEND',
    ]);
    expect(await db.rows(`SELECT * FROM "OPS"."FILE_LEDGER"`)).toEqual([]);
  } finally {
    db.close();
  }
});

test('GIVEN a view reading a non-portable view WHEN the DuckDB model is built THEN both are skipped with reasons', () => {
  const model = duckdbDataModel({
    datasets: REFERENCE_DATASETS,
    schemas: SCHEMAS,
    goldViews: [
      {
        name: 'flat',
        file: 'gold/flat.sql',
        sql: 'SELECT f.value FROM core.events AS e, LATERAL FLATTEN(input => e.properties) AS f',
      },
      { name: 'on_top', file: 'gold/on_top.sql', sql: 'SELECT * FROM gold.flat' },
    ],
  });
  expect(model.skippedViews).toEqual([
    { name: 'flat', reason: 'uses Snowflake-only syntax: FLATTEN' },
    { name: 'on_top', reason: 'reads gold.flat, which is skipped' },
  ]);
});
