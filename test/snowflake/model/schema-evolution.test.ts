import {
  buildDatasetModel,
  parseColumnType,
  planSilverEvolution,
  sameColumnType,
  silverTable,
} from '../../../snowflake/model';
import type { DescribedColumn } from '../../../snowflake/model';
import { REFERENCE_DATASETS, SCHEMAS } from './duckdb-model';

const listings = REFERENCE_DATASETS.find((d) => d.name === 'listings')!;

/** DESC TABLE rows of the silver table as Snowflake would show them after a fresh deploy of `spec`. */
function described(spec = listings): DescribedColumn[] {
  const widths: Record<string, string> = {
    VARCHAR: 'VARCHAR(16777216)',
    TIMESTAMP_TZ: 'TIMESTAMP_TZ(9)',
    TIMESTAMP_NTZ: 'TIMESTAMP_NTZ(9)',
  };
  const table = silverTable(buildDatasetModel(spec, SCHEMAS));
  return table.columns.map((c) => ({
    name: c.name,
    type: widths[c.type.snowflake] ?? c.type.snowflake,
    'primary key': table.primaryKey?.includes(c.name) ? 'Y' : 'N',
    comment: c.comment ?? null,
  }));
}

test('GIVEN the live table matches the spec (DESC TABLE widths) WHEN planned THEN nothing changes (a no-op update issues no DDL)', () => {
  const plan = planSilverEvolution(buildDatasetModel(listings, SCHEMAS), described());
  expect(plan).toEqual({ statements: [], changes: [], unapplied: [], blocked: false });
});

test('GIVEN a column added to the spec WHEN planned THEN it is added with ADD COLUMN IF NOT EXISTS, nothing else', () => {
  const spec = {
    ...listings,
    columns: [...listings.columns, { name: 'license', type: 'VARCHAR(64)', description: 'Licence number' }],
  };
  const plan = planSilverEvolution(buildDatasetModel(spec, SCHEMAS), described());
  expect(plan.statements).toEqual([
    `ALTER TABLE "INGEST"."CORE"."LISTINGS" ADD COLUMN IF NOT EXISTS "LICENSE" VARCHAR(64) COMMENT 'Licence number'`,
  ]);
  expect(plan.changes.map((c) => c.code)).toEqual(['COLUMN_ADDED']);
  expect(plan.blocked).toBe(false);
});

test('GIVEN a column removed from the spec WHEN planned THEN it is reported and kept: no DROP', () => {
  const spec = { ...listings, columns: listings.columns.filter((c) => c.name !== 'host_name') };
  const plan = planSilverEvolution(buildDatasetModel(spec, SCHEMAS), described());
  expect(plan.statements).toEqual([]);
  expect(plan.unapplied).toEqual([
    {
      code: 'COLUMN_REMOVED',
      column: 'HOST_NAME',
      message:
        'HOST_NAME is no longer in the spec: kept with its data, no longer written (drop it by hand if intended)',
    },
  ]);
});

test('GIVEN retyped columns WHEN planned THEN they are reported; only safe widenings are applied, and only when allowed', () => {
  const retype = (name: string, type: string) => ({
    ...listings,
    columns: listings.columns.map((c) => (c.name === name ? { ...c, type } : c)),
  });
  const widened = buildDatasetModel(retype('price', 'NUMBER(18,2)'), SCHEMAS);
  expect(planSilverEvolution(widened, described()).statements).toEqual([]);
  expect(planSilverEvolution(widened, described()).unapplied[0]?.message).toContain(
    'a safe widening: set allowWidening to apply it',
  );
  expect(planSilverEvolution(widened, described(), { allowWidening: true }).statements).toEqual([
    'ALTER TABLE "INGEST"."CORE"."LISTINGS" ALTER COLUMN "PRICE" SET DATA TYPE NUMBER(18,2)',
  ]);
  const narrowed = buildDatasetModel(retype('price', 'VARCHAR'), SCHEMAS);
  const plan = planSilverEvolution(narrowed, described(), { allowWidening: true });
  expect(plan.statements).toEqual([]);
  expect(plan.unapplied).toEqual([
    {
      code: 'COLUMN_RETYPED',
      column: 'PRICE',
      message:
        'PRICE is NUMBER(12,2) in Snowflake but VARCHAR in the spec: not changed (add a new column and backfill it, or recreate the table explicitly)',
    },
  ]);
});

test('GIVEN a changed primary key WHEN planned THEN the plan is blocked with no statements', () => {
  const spec = {
    ...listings,
    primaryKey: ['id', 'host_id'],
    columns: [...listings.columns, { name: 'extra', type: 'DATE' }],
  };
  const plan = planSilverEvolution(buildDatasetModel(spec, SCHEMAS), described());
  expect(plan.blocked).toBe(true);
  expect(plan.statements).toEqual([]);
  expect(plan.unapplied.map((c) => c.code)).toEqual(['PRIMARY_KEY_CHANGED']);
});

test('GIVEN a changed description WHEN planned THEN the column comment is altered', () => {
  const spec = {
    ...listings,
    columns: listings.columns.map((c) =>
      c.name === 'price' ? { ...c, description: "Nightly price, host's currency" } : c,
    ),
  };
  expect(planSilverEvolution(buildDatasetModel(spec, SCHEMAS), described()).statements).toEqual([
    `ALTER TABLE "INGEST"."CORE"."LISTINGS" ALTER COLUMN "PRICE" COMMENT 'Nightly price, host\\'s currency'`,
  ]);
});

test('GIVEN type aliases WHEN compared THEN they match what DESC TABLE returns', () => {
  const same = (a: string, b: string) => sameColumnType(parseColumnType(a, 'a'), parseColumnType(b, 'b'));
  expect(same('INT', 'NUMBER(38,0)')).toBe(true);
  expect(same('DECIMAL(10,2)', 'NUMBER(10,2)')).toBe(true);
  expect(same('STRING', 'VARCHAR(16777216)')).toBe(true);
  expect(same('VARCHAR', 'VARCHAR(134217728)')).toBe(true);
  expect(same('DOUBLE', 'FLOAT')).toBe(true);
  expect(same('TIMESTAMP', 'TIMESTAMP_NTZ(9)')).toBe(true);
  expect(same('TIMESTAMP_TZ(3)', 'TIMESTAMP_TZ(9)')).toBe(false);
  expect(same('VARCHAR(2)', 'VARCHAR(3)')).toBe(false);
  expect(() => parseColumnType('INT(5)', 'x.y')).toThrow('x.y: invalid type "INT(5)": INT takes no parameters');
});
