/**
 * End to end: a replay through the REAL replay CLI (`bin/replay.ts --sandbox`) against a running
 * `--watch` sandbox changes nothing. The replayed originals carry their original event time, so
 * the parser writes the same stage objects (names and bytes), the pipe's load history skips them,
 * and silver, rejects and bronze stay exactly as they were.
 */
import { cpSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DuckDb } from '../../bin/sandbox/duckdb';
import { ROOT, runCli, startCli, stopCli, waitFor } from './sandbox-support';
import type { RunningCli } from './sandbox-support';

interface WarehouseState {
  bronze: number;
  silver: Record<string, unknown>[];
  rejects: Record<string, unknown>[];
  loads: number;
}

async function readWarehouse(state: string): Promise<WarehouseState> {
  const db = await DuckDb.open({ path: join(state, 'warehouse.duckdb') });
  try {
    return {
      bronze: Number(await db.value('SELECT count(*) FROM raw.listings')),
      silver: await db.rows('SELECT * EXCLUDE ("_LOADED_AT", "_MERGED_AT") FROM core.listings ORDER BY id'),
      rejects: await db.rows('SELECT "REASON", "SOURCE_KEY", "SOURCE_ROW" FROM core.listings_rejects ORDER BY ALL'),
      loads: Number(await db.value('SELECT count(*) FROM "SANDBOX"."LOAD_HISTORY"')),
    };
  } finally {
    db.close();
  }
}

describe('replay against a --watch sandbox', () => {
  let dir: string;
  let sandbox: RunningCli | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandbox-replay-'));
    cpSync(join(ROOT, 'examples', 'airbnb'), join(dir, 'data', 'airbnb'), { recursive: true });
  });

  afterAll(async () => {
    await stopCli(sandbox);
    rmSync(dir, { recursive: true, force: true });
  });

  it('GIVEN listings already loaded WHEN the day is replayed with the replay CLI THEN silver, rejects and bronze are unchanged', async () => {
    const state = join(dir, 'state');
    const data = join(dir, 'data');
    // GIVEN the listings files processed, loaded and merged
    const first = await runCli('bin/sandbox.ts', ['--state', state, '--data', data]);
    expect(first.code).toBe(0);
    const before = await readWarehouse(state);
    expect(before.bronze).toBe(320);
    const price = before.silver.find((r) => String(r.ID) === '1000000')?.PRICE;
    expect(price).toBe('238.00'); // the re-export a week later (+15) is the latest version

    // WHEN a watching sandbox runs on that state and the whole archive day is replayed through the CLI
    sandbox = startCli('bin/sandbox.ts', ['--watch', '--state', state, '--data', data, '--retry-delay', '0']);
    await waitFor('the watching sandbox', () => sandbox!.stdout().includes('press Ctrl-C'), 60_000);
    const today = new Date().toISOString().slice(0, 10);
    const replay = await runCli('bin/replay.ts', [
      '--sandbox',
      '--state',
      state,
      '--dataset',
      'listings',
      '--from',
      today,
      '--to',
      today,
    ]);
    expect({ code: replay.code, stderr: replay.stderr.includes('copied') }).toEqual({ code: 0, stderr: true });
    expect(replay.stdout).toMatch(/files: 2, copied: 2 /);
    // THEN the watching sandbox reports both files again as they are processed …
    const outcome = /file {4}airbnb\/listings\/[^\n]+: staged/g;
    await waitFor('both replayed files processed', () => (sandbox!.stdout().match(outcome) ?? []).length >= 2, 60_000);
    sandbox.child.kill('SIGINT');
    const stopped = await sandbox.exited;
    expect(stopped.stdout).not.toMatch(/pipe {4}loaded/); // … and the pipe loads nothing: same names, same bytes

    const after = await readWarehouse(state);
    expect(after.bronze).toBe(before.bronze);
    expect(after.loads).toBe(before.loads);
    expect(after.rejects).toEqual(before.rejects);
    expect(after.silver).toEqual(before.silver);
  }, 180_000);
});
