/** `--help` of the npm-run tools prints the usage and exits 0, and starts no work. */
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

function run(script: string, ...args: string[]) {
  return spawnSync(process.execPath, [TSX, script, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
}

describe('command-line help', () => {
  test('GIVEN bench:provisioner --help WHEN run THEN the usage is printed, exit 0, nothing bundled', () => {
    const r = run('bench/provisioner-bundle.ts', '--help');
    expect([r.status, r.stdout.trim()]).toEqual([0, expect.stringMatching(/^Usage: npm run bench:provisioner/)]);
    expect(r.stdout).not.toMatch(/bundle|KiB|MiB/i);
  });

  test('GIVEN bench:provisioner with a runs value that is not a number WHEN run THEN exit 2 naming the value', () => {
    const r = run('bench/provisioner-bundle.ts', 'abc');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('runs must be a whole number from 1 to 100, got "abc"');
  });
});
