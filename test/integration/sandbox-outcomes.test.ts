/**
 * End to end: the sandbox CLI with a config of its own (datasets unlike the bundled ones) and bad
 * files — a truncated .csv.gz, a ragged CSV, two broken JSON files, a file for an unknown dataset,
 * a CSV whose key column is in the wrong case. The run must say so: a first status line, every
 * quarantined file with its reason and report, rejected rows per dataset and reason, drift per
 * file, the bundled gold views (none fits this config) skipped in one line, and `--strict` exiting non-zero.
 */
import { mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { gzipSync } from 'zlib';
import type { Summary } from '../../bin/sandbox/summary';
import { replayTestConfig } from './replay-config';
import { ROOT, runCli, runSandboxWithSummary, sandboxArgs, writeSandboxInputs } from './sandbox-support';
import type { CliResult } from './sandbox-support';

const config = replayTestConfig(
  [{ name: 'shop', principals: ['111111111111'] }],
  [
    {
      name: 'orders',
      format: 'csv',
      columns: [
        { name: 'id', type: 'NUMBER(38,0)' },
        { name: 'amount', type: 'NUMBER(12,2)' },
      ],
      primaryKey: ['id'],
    },
    { name: 'docs', format: 'json', columns: [{ name: 'id', type: 'NUMBER(38,0)' }], primaryKey: ['id'] },
  ],
);

const files: Record<string, string | Buffer> = {
  'shop/orders/good.csv': 'id,amount\n1,10.50\n2,20\n',
  'shop/orders/ragged.csv': 'id,amount\n3,1\n4\n5,2\n',
  'shop/orders/upper.csv': 'ID,amount\n6,1\n7,2\n',
  'shop/orders/cut.csv.gz': (() => {
    const gz = gzipSync(Buffer.from('id,amount\n' + '8,1\n'.repeat(4000)));
    return gz.subarray(0, gz.length - 30);
  })(),
  'shop/docs/trailing.json': '[ {"id":1},\n]',
  'shop/docs/open.json': '[{"id":2},\n{"id":3',
  'shop/nope/x.csv': 'id\n1\n',
};

describe('sandbox with bad files and its own config', () => {
  let dir: string;
  let run: CliResult;
  let summary: Summary;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sandbox-outcomes-'));
    writeSandboxInputs(dir, config, files);
    // WHEN the sandbox runs on them with that config
    ({ run, summary } = await runSandboxWithSummary(dir));
  }, 90_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('completes (exit 0) with a first status line that says files were quarantined and rows rejected', () => {
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = run.stdout.split('\n');
    const statusLine = lines[lines.indexOf('') + 1];
    expect(statusLine).toMatch(
      /^COMPLETED WITH REJECTS: 4 file\(s\) quarantined, 1 row\(s\) quarantined by the parser, 2 row\(s\) rejected by the MERGE/,
    );
    expect(summary.status).toBe('COMPLETED WITH REJECTS');
    expect(run.stdout).not.toContain('OK: every file');
  });

  it('lists every quarantined file with its reason code, a message naming the cause, and its report', () => {
    expect(summary.quarantinedFiles.map((f) => [f.sourceKey, f.reason])).toEqual([
      ['shop/docs/open.json', 'NOT_PARSEABLE'],
      ['shop/docs/trailing.json', 'NOT_PARSEABLE'],
      ['shop/nope/x.csv', 'UNKNOWN_DATASET'],
      ['shop/orders/cut.csv.gz', 'CORRUPT_GZIP'],
    ]);
    const byKey = Object.fromEntries(summary.quarantinedFiles.map((f) => [f.sourceKey, f]));
    expect(byKey['shop/docs/trailing.json'].message).toMatch(/trailing comma: '\]' follows a ',' at line 2, column 1/);
    expect(byKey['shop/docs/open.json'].message).toMatch(/ends inside the value that starts at line 2, column 1/);
    for (const f of summary.quarantinedFiles) {
      expect(f.report).toMatch(/^s3:\/\/sandbox-stage\/quarantine\/.+\.file\.json$/);
      expect(run.stdout).toContain(`QUARANTINED ${f.sourceKey}: ${f.reason}`); // printed as it happened
      expect(run.stdout).toContain(`report ${f.report}`);
    }
  });

  it('counts rejected rows per dataset and reason, with where to read them', () => {
    expect(summary.rejectedRows.map((r) => [r.dataset, r.stage, r.reason, r.rows, r.where[0].split('/')[0]])).toEqual([
      ['orders', 'merge', 'PRIMARY_KEY_MISSING', 2, 'CORE.ORDERS_REJECTS'],
      ['orders', 'parser', 'RAGGED_ROW', 1, 's3:'],
    ]);
  });

  it('reports the key in the wrong case as schema drift of that file', () => {
    expect(summary.drift).toEqual([
      {
        sourceKey: 'shop/orders/upper.csv',
        dataset: 'orders',
        drift: { missing_paths: [], unknown_keys: [], case_mismatches: [{ path: 'id', seen: 'ID' }] },
      },
    ]);
    expect(run.stdout).toContain('schema drift against orders: keys in another case ID (spec: id)');
  });

  it('skips the bundled gold views (none reads only datasets of this config) in one line, not a warning each', () => {
    expect(summary.gold.created).toEqual([]);
    const views = readdirSync(join(ROOT, 'snowflake', 'gold')).filter((f) => /^[a-z0-9_]+\.sql$/.test(f)).length;
    expect(summary.gold.skipped).toHaveLength(views);
    expect(run.stdout).toContain(
      `gold    none of the ${views} view(s) in ${join(ROOT, 'snowflake', 'gold')} reads only`,
    );
    expect(run.stdout).not.toContain('WARNING GOLD.');
  });

  it('GIVEN --strict WHEN run again on that state THEN it exits 3 and says why', async () => {
    const strict = await runCli('bin/sandbox.ts', [...sandboxArgs(dir), '--strict']);
    expect(strict.code).toBe(3);
    expect(strict.stdout).toContain('strict  exit code 3');
  }, 60_000);
});

describe('sandbox progress on a long file', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'sandbox-progress-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('GIVEN a 5 MB CSV and --progress 0.2 WHEN run THEN MB read and rows so far are printed while it is parsed, then the load and the merge are announced', async () => {
    const rows = 400_000;
    const lines = ['id,amount\n'];
    for (let i = 0; i < rows; i++) lines.push(`${i},${i % 1000}.25\n`);
    writeSandboxInputs(dir, config, { 'shop/orders/big.csv': lines.join('') });
    const run = await runCli('bin/sandbox.ts', [...sandboxArgs(dir), '--progress', '0.2'], 120_000);
    expect(run.code).toBe(0);
    const progress = [
      ...run.stdout.matchAll(
        /parser {2}… shop\/orders\/big\.csv: ([\d.]+) of ([\d.]+) MB read, (\d+) row\(s\) so far/g,
      ),
    ];
    expect(progress.length).toBeGreaterThanOrEqual(1);
    const size = (lines.join('').length / (1024 * 1024)).toFixed(1);
    for (const [, read, total, n] of progress) {
      expect(total).toBe(size);
      expect(Number(read)).toBeLessThanOrEqual(Number(total));
      expect(Number(n)).toBeLessThanOrEqual(rows);
    }
    expect(run.stdout).toMatch(/pipe {4}loading data\/orders\/.+ MB gzip\) …/);
    expect(run.stdout).toContain(`task    merging ${rows} new bronze row(s) into silver …`);
    expect(run.stdout).toContain(`file    shop/orders/big.csv: staged ${rows} of ${rows} row(s)`);
  }, 150_000);
});
