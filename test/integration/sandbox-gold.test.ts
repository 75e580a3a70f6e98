/**
 * The sandbox's gold step on DuckDB: views that read only datasets of the config are created; a folder that
 * does not fit the config at all (the bundled views under a user's `--config`) is one line, not a warning each.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DuckDb } from '../../bin/sandbox/duckdb';
import { createGoldViews, unrelatedGoldLine } from '../../bin/sandbox/gold';
import { schemaNames } from '../../snowflake/names';

describe('sandbox gold views', () => {
  let db: DuckDb;
  let dir: string;
  const schemas = schemaNames('SHOP');

  beforeAll(async () => {
    db = await DuckDb.open();
    await db.run(
      'CREATE SCHEMA core; CREATE SCHEMA gold; CREATE TABLE core.orders (id INTEGER); INSERT INTO core.orders VALUES (1), (2)',
    );
    dir = mkdtempSync(join(tmpdir(), 'sandbox-gold-'));
    writeFileSync(join(dir, 'order_ids.sql'), 'SELECT id FROM core.orders');
    writeFileSync(join(dir, 'listing_ids.sql'), 'SELECT id FROM core.listings');
  });

  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('GIVEN a folder where one view reads a dataset of the config and one does not WHEN created THEN the first exists and the second is skipped by name, with no one-line summary', async () => {
    const gold = await createGoldViews(db, dir, ['orders'], schemas);
    expect(gold.created).toEqual(['GOLD.ORDER_IDS']);
    expect(gold.skipped).toEqual([
      { view: 'GOLD.LISTING_IDS', reason: expect.stringContaining('core.listings') as unknown as string },
    ]);
    expect(unrelatedGoldLine(gold)).toBeUndefined();
    expect(Number(await db.value('SELECT count(*) FROM gold.order_ids'))).toBe(2);
  });

  test('GIVEN a folder none of whose views fits the config WHEN created THEN nothing is created and one line names the folder and the count', async () => {
    const gold = await createGoldViews(db, dir, ['events'], schemas);
    expect(gold.created).toEqual([]);
    expect(gold.skipped.map((k) => k.view).sort()).toEqual(['GOLD.LISTING_IDS', 'GOLD.ORDER_IDS']);
    expect(unrelatedGoldLine(gold)).toBe(
      `none of the 2 view(s) in ${dir} reads only datasets of this config: all skipped (your own views: "sqlDirectory" in the config, or --gold <dir>)`,
    );
  });
});
