/**
 * The config's `sqlDirectory`: your own gold / tasks / warehouse / mart SQL instead of the reference scenarios'.
 * Read from a file, a relative folder is the config file's; synth, plan and the sandbox all read it; a SQL file
 * that does not fit the config fails naming the file and where the SQL came from.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { connectLive, runPlanCli } from '../../bin/plan/cli';
import { readPipelineConfig } from '../../lib/config-file';
import { PipelineStage } from '../../lib/pipeline-stage';
import { sqlDirectories } from '../../lib/snowflake/data-model-input';
import { goldViewComment, sqlFileLabel } from '../../snowflake/model/gold';
import { cdkContext, testApp } from './helpers';
import { replayTestConfig } from '../integration/replay-config';
import { SnowflakeTestServer } from '../support/snowflake-server';
import { generateKeyPairSync } from 'crypto';

const ROOT = path.join(__dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sql-directory-'));
const ORDERS = {
  name: 'orders',
  format: 'csv',
  columns: [
    { name: 'id', type: 'NUMBER(38,0)' },
    { name: 'amount', type: 'NUMBER(12,2)' },
  ],
  primaryKey: ['id'],
};
/** A config with one dataset, `orders` (not a reference scenario's), in `<dir>/<name>`. */
function writeConfig(name: string, extra: Record<string, unknown> = {}): string {
  const file = path.join(dir, name);
  const config = replayTestConfig([{ name: 'shop', principals: ['111111111111'] }], [ORDERS]);
  fs.writeFileSync(file, JSON.stringify({ ...config, ...extra }));
  return file;
}

beforeAll(() => {
  // GIVEN the user's own SQL folder next to the config, with one gold view over their dataset
  fs.mkdirSync(path.join(dir, 'sql', 'gold'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'sql', 'gold', 'order_totals.sql'), 'SELECT SUM(amount) AS total FROM core.orders');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('GIVEN a relative sqlDirectory in a config file WHEN read THEN it is resolved against the config file, not the working directory', () => {
  const config = readPipelineConfig(writeConfig('relative.json', { sqlDirectory: 'sql' }));
  expect(config.sqlDirectory).toBe(path.join(dir, 'sql'));
  expect(sqlDirectories(config.sqlDirectory)).toEqual({
    goldDirectory: path.join(dir, 'sql', 'gold'),
    tasksDirectory: path.join(dir, 'sql', 'tasks'),
    warehouseDirectory: path.join(dir, 'sql', 'warehouse'),
    martDirectory: path.join(dir, 'sql', 'mart'),
  });
  expect(sqlDirectories()).toEqual(sqlDirectories(path.join(ROOT, 'snowflake')));
});

test('GIVEN sqlDirectory WHEN the Stage is synthesized THEN its gold views are deployed with a comment that names the file without the checkout path', () => {
  const config = readPipelineConfig(writeConfig('synth.json', { sqlDirectory: 'sql' }));
  const stage = PipelineStage.forEnvironment(testApp(), config, 'dev');
  const resources = Template.fromStack(stage.pipeline).toJSON().Resources as Record<string, { Properties?: unknown }>;
  const text = JSON.stringify(resources);
  expect(text).toContain('Gold view from sql/gold/order_totals.sql (managed by the pipeline).');
  expect(text).not.toContain(dir); // nothing of the checkout path reaches the template
  expect(text).not.toMatch(/Gold view from snowflake\//); // none of the reference scenarios' views
});

test('GIVEN file paths WHEN labelled for a comment THEN the last three segments, on POSIX and Windows', () => {
  expect(sqlFileLabel('/home/ci/work/repo/snowflake/gold/x.sql')).toBe('snowflake/gold/x.sql');
  expect(sqlFileLabel('C:\\Users\\me\\proj\\sql\\mart\\y.sql')).toBe('sql/mart/y.sql');
  expect(goldViewComment('/a/b/sql/gold/z.sql')).toBe('Gold view from sql/gold/z.sql (managed by the pipeline).');
});

test('GIVEN no sqlDirectory and other datasets WHEN planned THEN exit 1 naming the bundled gold file and how to use your own folder; WITH it THEN the plan creates your view', async () => {
  const run = async (file: string) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runPlanCli(['--env', 'dev', '--config', file], {
      env: {},
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    });
    return { code, out: out.join(''), err: err.join('') };
  };
  const without = await run(writeConfig('plan-without.json'));
  expect(without.code).toBe(1);
  expect(without.err).toMatch(
    /^plan: \S+snowflake\/gold\/\w+\.sql: references core\.\w+, which is not a dataset \(have: orders\)/,
  );
  expect(without.err).toContain('set "sqlDirectory" in your config to your own folder');
  const withSql = await run(writeConfig('plan-with.json', { sqlDirectory: 'sql' }));
  expect(withSql.code).toBe(0);
  expect(withSql.out).toContain('-- +   view D.GOLD.ORDER_TOTALS (create)');
  expect(withSql.out).toContain("COMMENT = 'Gold view from sql/gold/order_totals.sql (managed by the pipeline).'");
});

test('GIVEN no sqlDirectory and other datasets WHEN bin/app.ts synthesizes THEN it exits 1 with the file and the hint, not a stack trace', () => {
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'bin/app.ts'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        PIPELINE_CONFIG: writeConfig('app-without.json'),
        CDK_OUTDIR: path.join(dir, 'out'),
        CDK_CONTEXT_JSON: JSON.stringify({ ...cdkContext(), 'aws:cdk:bundling-stacks': [] }),
      },
    },
  );
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(
    /snowflake\/gold\/\w+\.sql: references core\.\w+, which is not a dataset \(have: orders\)/,
  );
  expect(result.stderr).toContain('set "sqlDirectory" in your config');
  expect(result.stderr).not.toContain('    at ');
});

test('GIVEN sqlDirectory WHEN planned live against an account THEN the SQL comes from that folder throughout (exit 0, only reads sent)', async () => {
  const server = new SnowflakeTestServer();
  const url = await server.start();
  try {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const keyFile = path.join(dir, 'key.pem');
    fs.writeFileSync(keyFile, privateKey);
    const file = writeConfig('plan-live.json', { sqlDirectory: 'sql' });
    const { account, user } = readPipelineConfig(file).environments[0]!.snowflake;
    server.registerUser(account, user, publicKey);
    const out: string[] = [];
    const err: string[] = [];
    const argv = ['--env', 'dev', '--live', '--config', file, '--private-key-file', keyFile, '--access-url', url];
    const code = await runPlanCli(argv, {
      env: {},
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      connect: (c, a) => connectLive(c, a, {}, { attempts: 1 }),
    });
    expect({ code, err: err.join('') }).toEqual({ code: 0, err: '' });
    expect(out.join('')).toContain('-- +   view D.GOLD.ORDER_TOTALS (create)');
    expect(server.statements.filter((st) => !/^(SHOW|DESC) |^SELECT SYSTEM\$PIPE_STATUS\(/.test(st))).toEqual([]);
  } finally {
    await server.stop();
  }
});
