/**
 * Provisioner bundle size and cold module-init time.
 *
 * Bundles lambda/snowflake-provisioner/index.ts the way PipelineFunction does (esbuild, platform
 * node, target node24, CJS, minified, AWS SDK included, SNOWFLAKE_DRIVER_ALIASES) into an empty temp directory (no
 * node_modules to fall back on), then loads it in fresh node processes and times
 * - module init: `require` of the bundle (what Lambda's init phase runs);
 * - driver load: the first session's extra cost, snowflake-sdk and the Secrets Manager client being
 *   loaded on first use (a second bundle with the same modules that also calls loadDriver()).
 *
 *   npx tsx bench/provisioner-bundle.ts [runs=7]
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync, statSync } from 'fs';
import { cpus, loadavg, tmpdir } from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { SNOWFLAKE_DRIVER_ALIASES } from '../lib/functions/pipeline-function';

const USAGE = 'Usage: npm run bench:provisioner -- [runs=7]   (runs: fresh node processes per measurement, 1 to 100)';
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const runsArg = process.argv[2] ?? '7';
if (!/^\d{1,3}$/.test(runsArg) || Number(runsArg) < 1 || Number(runsArg) > 100) {
  console.error(
    `bench:provisioner: runs must be a whole number from 1 to 100, got ${JSON.stringify(runsArg)}\n${USAGE}`,
  );
  process.exit(2);
}

const GOAL_BYTES = 4 * 1024 * 1024;
const GOAL_INIT_MS = 500;
const runs = Number(runsArg);
const root = path.join(__dirname, '..');
const dir = mkdtempSync(path.join(tmpdir(), 'provisioner-bench-'));
const outfile = path.join(dir, 'index.js');
const timingFile = path.join(dir, 'timing.js');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  minify: true,
  logLevel: 'silent',
  alias: { ...SNOWFLAKE_DRIVER_ALIASES },
} as const;

try {
  const started = Date.now();
  const result = buildSync({
    ...common,
    entryPoints: [path.join(root, 'lambda', 'snowflake-provisioner', 'index.ts')],
    outfile,
    metafile: true,
  });
  buildSync({
    ...common,
    stdin: {
      resolveDir: root,
      loader: 'ts',
      contents: `const t0 = process.hrtime.bigint();
        const m = require('./lambda/snowflake-provisioner/index');
        const t1 = process.hrtime.bigint();
        require('./lambda/shared/snowflake/connection').loadDriver();
        require('@aws-sdk/client-secrets-manager');
        const t2 = process.hrtime.bigint();
        if (typeof m.handler !== 'function') throw new Error('no handler');
        process.stdout.write(JSON.stringify([Number(t1 - t0) / 1e6, Number(t2 - t1) / 1e6]));`,
    },
    outfile: timingFile,
  });
  const buildMs = Date.now() - started;
  const bytes = statSync(outfile).size;
  const unaliased = path.join(dir, 'unaliased.js');
  buildSync({
    ...common,
    alias: {},
    entryPoints: [path.join(root, 'lambda', 'snowflake-provisioner', 'index.ts')],
    outfile: unaliased,
  });
  const unaliasedBytes = statSync(unaliased).size;

  const init: number[] = [];
  const driver: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, [timingFile], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1' },
    });
    const [a, b] = JSON.parse(out.toString()) as [number, number];
    init.push(a);
    driver.push(b);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

  const inputs = Object.entries(result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].inputs);
  const byPackage = new Map<string, number>();
  for (const [file, info] of inputs) {
    const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(file);
    const key = m ? m[1] : '(project)';
    byPackage.set(key, (byPackage.get(key) ?? 0) + info.bytesInOutput);
  }
  const top = [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);

  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MiB`;
  console.log(
    `provisioner bundle: ${mb(bytes)} (${bytes} bytes), ${(bytes / GOAL_BYTES).toFixed(2)}× the 4 MiB goal; built in ${buildMs} ms`,
  );
  console.log(
    `(without the moment-timezone alias: ${mb(unaliasedBytes)}, ${(unaliasedBytes / GOAL_BYTES).toFixed(2)}× the goal)`,
  );
  console.log(
    `module init (fresh node, ${runs} runs): median ${median(init).toFixed(0)} ms (${range(init)}), ${(median(init) / GOAL_INIT_MS).toFixed(2)}× the 500 ms goal`,
  );
  console.log(
    `first-session driver load: median ${median(driver).toFixed(0)} ms (${range(driver)}); init + driver ${(median(init) + median(driver)).toFixed(0)} ms`,
  );
  console.log(
    `load average while measuring: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${cpus().length} cores`,
  );
  console.log('largest contributors:', top.map(([k, v]) => `${k} ${mb(v)}`).join(', '));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
