/**
 * End to end: a column with `onCastError: 'reject'` keeps a whole row out of silver. The sandbox's
 * status line and its rejected-rows list must say that rows were rejected, not only that values
 * failed their cast (found by an independent check of issue 10: `5 value(s) failed their cast`
 * while a customer was missing from silver).
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { Summary } from '../../bin/sandbox/summary';
import { replayTestConfig } from './replay-config';
import { runSandboxWithSummary, writeSandboxInputs } from './sandbox-support';
import type { CliResult } from './sandbox-support';

const config = replayTestConfig(
  [{ name: 'shop', principals: ['111111111111'] }],
  [
    {
      name: 'accounts',
      format: 'json',
      columns: [
        { name: 'id', type: 'NUMBER(38,0)' },
        { name: 'balance', type: 'NUMBER(10,2)', onCastError: 'reject' },
        { name: 'opened', type: 'DATE' },
      ],
      primaryKey: ['id'],
    },
  ],
);

// Row 1 clean; row 2: balance "12,50" fails (reject) AND opened fails (null) → 2 values, 1 row kept out;
// row 3: only opened "2026-02-30" fails → merged with NULL; row 4: balance "$5" fails → kept out.
const accounts = JSON.stringify([
  { id: 1, balance: '10.50', opened: '2026-01-01' },
  { id: 2, balance: '12,50', opened: 'soon' },
  { id: 3, balance: 3, opened: '2026-02-30' },
  { id: 4, balance: '$5', opened: '2026-01-02' },
]);

describe('sandbox with onCastError reject', () => {
  let dir: string;
  let run: CliResult;
  let summary: Summary;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sandbox-cast-reject-'));
    writeSandboxInputs(dir, config, { 'shop/accounts/a.json': accounts });
    // WHEN the sandbox runs on them
    ({ run, summary } = await runSandboxWithSummary(dir));
  }, 90_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('GIVEN rows kept out of silver by onCastError reject WHEN the run ends THEN the status line counts them as rejected rows, apart from the values', () => {
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(summary.statusLine).toBe(
      'COMPLETED WITH REJECTS: 2 row(s) rejected by the MERGE, 4 value(s) failed their cast (details below)',
    );
    const lines = run.stdout.split('\n');
    expect(lines[lines.indexOf('') + 1]).toBe(summary.statusLine);
  });

  it('GIVEN the same run WHEN rejected rows are listed THEN the CAST_FAILED line says how many rows were kept out of silver', () => {
    expect(summary.rejectedRows).toEqual([
      {
        dataset: 'accounts',
        stage: 'merge',
        reason: 'CAST_FAILED',
        rows: 4,
        rowsRejected: 2,
        where: ['CORE.ACCOUNTS_REJECTS'],
      },
    ]);
    expect(run.stdout).toContain(
      '    accounts: 4 CAST_FAILED (values that failed their cast, recorded by the MERGE; 2 row(s) kept out of silver (onCastError reject)) in CORE.ACCOUNTS_REJECTS',
    );
    expect(summary.tables.find((t) => t.table === 'CORE.ACCOUNTS')?.rows).toBe(2); // ids 1 and 3
  });
});
