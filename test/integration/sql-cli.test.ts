/** `npm run sql`: queries a sandbox-like warehouse file read-only, one statement or at a prompt. */
import { createHash } from 'crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Readable } from 'stream';
import { DuckDBInstance } from '@duckdb/node-api';
import { formatTable, runSqlCli } from '../../bin/sql/cli';

let state: string;

beforeAll(async () => {
  // GIVEN a state directory whose warehouse has core.orders with two rows
  state = mkdtempSync(join(tmpdir(), 'sql-cli-'));
  const db = await DuckDBInstance.create(join(state, 'warehouse.duckdb'));
  const c = await db.connect();
  await c.run(
    'CREATE SCHEMA core; CREATE TABLE core.orders (order_id BIGINT, amount DECIMAL(12,2)); INSERT INTO core.orders VALUES (1, 10.50), (2, NULL)',
  );
  c.closeSync();
  db.closeSync();
});

afterAll(() => rmSync(state, { recursive: true, force: true }));

async function run(argv: string[], input?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runSqlCli(argv, {
    cwd: state,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    input: input === undefined ? undefined : Readable.from([input]),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npm run sql', () => {
  test('GIVEN a SELECT WHEN run on the state directory THEN the rows print as a table, exit 0', async () => {
    const r = await run(['--state', '.', 'SELECT order_id, amount FROM core.orders ORDER BY order_id']);
    expect(r).toEqual({
      code: 0,
      err: '',
      out: ['order_id | amount', '---------+-------', '1        | 10.50', '2        | NULL', '(2 rows)'].join('\n'),
    });
  });

  test('GIVEN --json WHEN run THEN one JSON object per row', async () => {
    const r = await run(['--state', '.', '--json', 'SELECT count(*)::INTEGER AS n FROM core.orders']);
    expect(r.out).toBe('{"n":2}');
  });

  test('GIVEN a statement that writes WHEN run THEN DuckDB refuses it (read-only) and the exit code is 1', async () => {
    const r = await run(['--state', '.', 'DELETE FROM core.orders']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^sql: .*read-only/i);
  });

  test('GIVEN no statement and typed input WHEN run THEN each ;-terminated statement is answered until .quit', async () => {
    const r = await run(
      ['--state', '.'],
      'SELECT 1 AS a\n;\nSELECT max(order_id) AS m FROM core.orders;\n.quit\nSELECT 3;\n',
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain('a\n-\n1\n(1 rows)');
    expect(r.out).toContain('m\n-\n2\n(1 rows)');
    expect(r.out).not.toContain('3\n(1 rows)');
  });

  test('GIVEN a state directory without a warehouse WHEN run THEN one line says to run npm start, exit 2', async () => {
    const r = await run(['--state', 'nowhere', 'SELECT 1']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `sql: no sandbox warehouse at ${join(state, 'nowhere', 'warehouse.duckdb')}: run \`npm start\` first (or give its --state <dir>)`,
    );
  });

  test('GIVEN --data <dir> WHEN run THEN it reads the warehouse `npm start -- --data <dir>` keeps (its own state), and a missing table names the warehouse read', async () => {
    // The state of a --data run: <cwd>/.sandbox-data/<folder>-<first 8 hex of sha256(absolute data path)>.
    const dataDir = join(state, 'my-files');
    const hash = createHash('sha256').update(dataDir).digest('hex').slice(0, 8);
    const dataState = join(state, '.sandbox-data', `my-files-${hash}`);
    mkdirSync(dataState, { recursive: true });
    const db = await DuckDBInstance.create(join(dataState, 'warehouse.duckdb'));
    const c = await db.connect();
    await c.run('CREATE SCHEMA core; CREATE TABLE core.mine (x INTEGER); INSERT INTO core.mine VALUES (7)');
    c.closeSync();
    db.closeSync();

    expect(await run(['--data', 'my-files', '--json', 'SELECT x FROM core.mine'])).toEqual({
      code: 0,
      out: '{"x":7}',
      err: '',
    });
    const wrong = await run(['--state', '.', 'SELECT x FROM core.mine']);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain(`sql: (queried ${join(state, 'warehouse.duckdb')}; --data <dir> or --state <dir>`);
    expect((await run(['--data', 'my-files', '--state', '.', 'SELECT 1'])).code).toBe(2);
  });

  test('GIVEN --help WHEN run THEN the usage, exit 0', async () => {
    expect(await run(['--help'])).toMatchObject({ code: 0, out: expect.stringMatching(/^Usage: npm run sql/) });
  });

  test('GIVEN no rows WHEN formatted THEN "(0 rows)"', () => {
    expect(formatTable([])).toBe('(0 rows)');
  });
});
