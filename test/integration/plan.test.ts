/**
 * The plan command: offline (fresh-deploy SQL grouped per object, in deploy order) and live (the real
 * snowflake-sdk with a local PEM key against the Snowflake-protocol test server, asserting that only
 * SHOW / DESC / SELECT SYSTEM$ statements were sent).
 */
import { generateKeyPairSync } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import pipelineConfig from '../../config/pipeline';
import { loadConfig, resolveEnvironment } from '../../contracts/config';
import type { PipelineConfig } from '../../contracts/config';
import { runPlanCli, connectLive } from '../../bin/plan/cli';
import { isReadOnlyStatement, readOnlySession, ReadOnlyViolationError } from '../../bin/plan/live';
import { environmentObjects } from '../../bin/plan/objects';
import { createObject } from '../../snowflake/engine/lifecycle';
import { getKind } from '../../snowflake/kinds/registry';
import { SnowflakeTestServer } from '../support/snowflake-server';

const BUCKET = 'ingest-dev-stagebucket-1a2b3c';

async function plan(argv: string[], extra: Partial<Parameters<typeof runPlanCli>[1]> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runPlanCli(argv, { env: {}, out: (t) => out.push(t), err: (t) => err.push(t), ...extra });
  return { code, text: out.join(''), err: err.join('') };
}
const headers = (text: string) =>
  text.split('\n').filter((l) => /^-- (\+ {2}|~ {2}|-\/\+|! {2}| {3}) [a-z ]+ [A-Z0-9_.]+ \([A-Za-z -]+\)$/.test(l));

describe('GIVEN the example config WHEN planned offline', () => {
  let text: string;
  beforeAll(async () => {
    const r = await plan(['--env', 'dev']);
    expect(r.code).toBe(0);
    text = r.text;
  });

  test('GIVEN --help WHEN run THEN the usage goes to stdout and the exit code is 0', async () => {
    const r = await plan(['--help']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.text).toMatch(/^Usage: npx tsx bin\/plan\.ts --env <env>/);
  });

  test('THEN every object is one create block, in deploy order: ingestion, then per dataset the model, views, role', () => {
    const h = headers(text).map((l) => l.replace(/^-- \+\s+/, '').replace(/ \(create\)$/, ''));
    const index = (s: string) => h.indexOf(s);
    expect(h[0]).toBe('database INGEST_DEV');
    // The scheduled functions' identities last: their roles are granted on the objects above.
    expect(h.slice(-5)).toEqual([
      'reader role INGEST_DEV_READER',
      'service role INGEST_DEV_HEALTH_MONITOR',
      'service user INGEST_DEV_HEALTH_MONITOR',
      'service role INGEST_DEV_PIPE_REFRESHER',
      'service user INGEST_DEV_PIPE_REFRESHER',
    ]);
    expect(new Set(h).size).toBe(h.length);
    for (const d of ['LISTINGS', 'WEATHER', 'EVENTS', 'RETAIL_USERS', 'RETAIL_TRANSACTIONS']) {
      const order = [
        `table INGEST_DEV.RAW.${d}`,
        `stream INGEST_DEV.RAW.${d}_STREAM`,
        `silver table INGEST_DEV.CORE.${d}`,
        `task INGEST_DEV.CORE.${d}_MERGE`,
      ].map(index);
      expect(order.every((i) => i >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(index('schema INGEST_DEV.CORE')).toBeLessThan(index(`silver table INGEST_DEV.CORE.${d}`));
    }
    const views = h.filter((l) => l.startsWith('view ') && !l.includes('.OPS.'));
    expect(views).toHaveLength(5 + 6); // gold + the insurance warehouse (4) and mart (2)
    // The file ledger after the manifests table and every dataset's rejects table.
    expect(index('table INGEST_DEV.OPS.FILE_MANIFESTS')).toBeGreaterThan(index('schema INGEST_DEV.OPS'));
    expect(index('schema INGEST_DEV.OPS')).toBeGreaterThan(0);
    expect(index('rejects table INGEST_DEV.CORE.INSURANCE_TRANSACTIONS_REJECTS')).toBeGreaterThan(0);
    expect(index('view INGEST_DEV.OPS.FILE_LEDGER')).toBeGreaterThan(index('table INGEST_DEV.OPS.FILE_MANIFESTS'));
    expect(index('view INGEST_DEV.OPS.FILE_LEDGER')).toBeGreaterThan(
      index('rejects table INGEST_DEV.CORE.INSURANCE_TRANSACTIONS_REJECTS'),
    );
    expect(Math.min(...views.map(index))).toBeGreaterThan(index('task INGEST_DEV.CORE.INSURANCE_TRANSACTIONS_MERGE'));
    expect(index('view INGEST_DEV.GOLD.RETAIL_USER_SPEND')).toBeGreaterThan(
      index('silver table INGEST_DEV.CORE.RETAIL_TRANSACTIONS'),
    );
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      `-- Plan: ${h.length} to create, 0 to alter, 0 replaced, 0 unchanged.`,
    );
  });

  test('THEN OPS.FILE_MANIFESTS_PIPE is one create block after its table and the stage: CREATE PIPE AUTO_INGEST over manifests/ with the error integration of the pipes', () => {
    const h = headers(text).map((l) => l.replace(/^-- \+\s+/, '').replace(/ \(create\)$/, ''));
    const index = (s: string) => h.indexOf(s);
    expect(index('pipe INGEST_DEV.OPS.FILE_MANIFESTS_PIPE')).toBeGreaterThan(
      index('table INGEST_DEV.OPS.FILE_MANIFESTS'),
    );
    expect(index('table INGEST_DEV.OPS.FILE_MANIFESTS')).toBeGreaterThan(index('stage INGEST_DEV.RAW.PIPELINE_STAGE'));
    const block = text
      .split('\n\n')
      .find((b) => b.startsWith('-- +   pipe INGEST_DEV.OPS.FILE_MANIFESTS_PIPE (create)'));
    expect(block?.split('\n').slice(1)).toEqual([
      `CREATE PIPE "INGEST_DEV"."OPS"."FILE_MANIFESTS_PIPE" AUTO_INGEST = TRUE ERROR_INTEGRATION = "INGEST_DEV_ERRORS" COMMENT = 'Loads manifests/ (file manifests written by the parser) into INGEST_DEV.OPS.FILE_MANIFESTS' AS ` +
        'COPY INTO "INGEST_DEV"."OPS"."FILE_MANIFESTS" ("MANIFEST", "STAGE_FILE", "LOADED_AT") ' +
        'FROM (SELECT $1, METADATA$FILENAME, METADATA$START_SCAN_TIME FROM @"INGEST_DEV"."RAW"."PIPELINE_STAGE"/manifests/) ' +
        "FILE_FORMAT = (FORMAT_NAME = 'INGEST_DEV.RAW.STAGE_NDJSON_GZ');",
    ]);
  });

  test('THEN each block holds its own statements: the MERGE task is created then resumed, views are plain CREATE VIEW', () => {
    const block = (header: string) => text.split('\n\n').find((b) => b.startsWith(`-- +   ${header} (create)`)) ?? '';
    const task = block('task INGEST_DEV.CORE.LISTINGS_MERGE');
    expect(task).toMatch(/\nCREATE TASK "INGEST_DEV"."CORE"."LISTINGS_MERGE"\n/);
    expect(task).toContain(`WHEN SYSTEM$STREAM_HAS_DATA('"INGEST_DEV"."RAW"."LISTINGS_STREAM"')`);
    expect(task.trimEnd().endsWith('ALTER TASK "INGEST_DEV"."CORE"."LISTINGS_MERGE" RESUME;')).toBe(true);
    expect(block('view INGEST_DEV.GOLD.RETAIL_USER_SPEND')).toContain(
      'FROM "INGEST_DEV"."CORE"."RETAIL_USERS" AS u\nLEFT JOIN "INGEST_DEV"."CORE"."RETAIL_TRANSACTIONS"',
    );
    expect(text).not.toMatch(/CREATE OR REPLACE (TABLE|STREAM|TASK)|DROP /);
  });

  test('WHEN --format markdown THEN a summary and one collapsible block per object for a PR comment', async () => {
    const r = await plan(['--env', 'prod', '--format', 'markdown', '--stage-bucket', 'ingest-prod-stage']);
    expect(r.text).toMatch(
      /^### Snowflake plan for ingest prod: fresh deploy \(offline\)\n\n\*\*Plan: \d+ to create, 0 to alter/,
    );
    expect(r.text).toContain('<details><summary><code>+   database INGEST (create)</code></summary>');
    expect(r.text).toContain("STORAGE_ALLOWED_LOCATIONS = ('s3://ingest-prod-stage/')");
  });

  test('WHEN an argument is wrong THEN exit 1 with the flag named', async () => {
    expect(await plan(['--env', 'dev', '--format', 'html'])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/^plan: --format: must be text or markdown/),
    });
    expect(await plan(['--env', 'dev', '--private-key-file', 'k.pem'])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/--private-key-file: only applies with --live/),
    });
  });
});

describe('GIVEN a deployed dev environment WHEN planned live', () => {
  const server = new SnowflakeTestServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'plan-'));
  const keyFile = path.join(dir, 'key.pem');
  let url: string;
  const base = loadConfig(pipelineConfig);
  const live = (config: PipelineConfig) => {
    const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(config));
    return plan(['--env', 'dev', '--live', '--config', file, '--private-key-file', keyFile, '--access-url', url], {
      connect: (c, a) => connectLive(c, a, {}, { attempts: 1 }),
    });
  };

  beforeAll(async () => {
    url = await server.start();
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    writeFileSync(keyFile, privateKey);
    server.registerUser('MYORG-DEV', 'PIPELINE_DEPLOYER', publicKey);
    // Deploy the environment into the in-memory account (engine Create of every object, in order).
    const session = { query: async (sql: string) => server.catalog.execute(sql) };
    for (const o of environmentObjects(resolveEnvironment(base, 'dev'), BUCKET)) {
      const kind = getKind(o.kind);
      const definition = kind.schema.parse(o.definition);
      // Service users' generated keys go nowhere here (the provisioner writes them to Secrets Manager).
      await createObject(
        session,
        { kind, definition, adopt: !!o.adopt, removalPolicy: 'retain' },
        { keyStore: { put: async () => undefined } },
      );
    }
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => server.clearLog());

  test('THEN nothing changes, the stage bucket is read from the deployed stage, and only reads were sent', async () => {
    const r = await live(base);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.text).toMatch(/-- Plan: 0 to create, 0 to alter, 0 replaced, \d+ unchanged\.\n$/);
    expect(server.statements.length).toBeGreaterThan(100);
    expect(server.statements.filter((s) => !/^(SHOW|DESC) |^SELECT SYSTEM\$PIPE_STATUS\(/.test(s))).toEqual([]);
  });

  test('WHEN a column is added and a stream went stale THEN the silver ALTER, the task graph update and the replacement are shown', async () => {
    server.catalog.model.streams.get('INGEST_DEV.RAW.WEATHER_STREAM')!.stale = true;
    const config = structuredClone(base);
    const listings = config.datasets.find((d) => d.name === 'listings')!;
    listings.columns.push({ name: 'license', type: 'VARCHAR' });
    const r = await live(config);
    server.catalog.model.streams.get('INGEST_DEV.RAW.WEATHER_STREAM')!.stale = false;
    expect(r.code).toBe(0);
    expect(headers(r.text)).toEqual([
      '-- ~   silver table INGEST_DEV.CORE.LISTINGS (alter)',
      '-- ~   task INGEST_DEV.CORE.LISTINGS_MERGE (alter)',
      '-- -/+ stream INGEST_DEV.RAW.WEATHER_STREAM (REPLACE)',
    ]);
    expect(r.text).toContain('ALTER TABLE "INGEST_DEV"."CORE"."LISTINGS" ADD COLUMN IF NOT EXISTS "LICENSE" VARCHAR;');
    expect(r.text).toMatch(
      /ALTER TASK "INGEST_DEV"."CORE"."LISTINGS_MERGE" SUSPEND;\n[\s\S]*ALTER TASK "INGEST_DEV"."CORE"."LISTINGS_MERGE" MODIFY AS\n[\s\S]*ALTER TASK "INGEST_DEV"."CORE"."LISTINGS_MERGE" RESUME;/,
    );
    expect(r.text).not.toContain('CREATE OR ALTER TASK');
    expect(r.text).toContain('--     note: stream REPLACED because it is stale');
    expect(r.text).toMatch(/-- Plan: 0 to create, 2 to alter, 1 replaced, \d+ unchanged\.\n$/);
    expect(server.ddl).toEqual([]);
  });

  test('WHEN a column is retyped THEN the plan shows it BLOCKED and exits 2', async () => {
    const config = structuredClone(base);
    config.datasets.find((d) => d.name === 'listings')!.columns[0].type = 'VARCHAR(10)';
    const r = await live(config);
    expect(r.code).toBe(2);
    expect(r.text).toMatch(
      /-- ! {3}silver table INGEST_DEV.CORE.LISTINGS \(BLOCKED\)\n-- {5}note: INGEST_DEV.CORE.LISTINGS: schema change not applied/,
    );
    expect(server.ddl).toEqual([]);
  });
});

describe('GIVEN the read-only guard', () => {
  test.each([
    ['SHOW TASKS LIKE \'X\' IN SCHEMA "D"."S"', true],
    ['DESC TABLE "D"."S"."T"', true],
    ["SELECT SYSTEM$PIPE_STATUS('D.S.P') AS STATUS", true],
    ["SHOW TABLES LIKE 'a;b'", true],
    ['CREATE TABLE x (a INT)', false],
    ['SELECT * FROM t', false],
    ['SHOW TABLES; DROP TABLE x', false],
    ['ALTER TASK x RESUME', false],
    ['EXECUTE IMMEDIATE $$ BEGIN DROP TASK x; END; $$', false],
  ])('%s → read-only %s', (sql, ok) => {
    expect(isReadOnlyStatement(sql)).toBe(ok);
  });
  test('WHEN a write reaches the guarded session THEN it is refused before being sent', async () => {
    const sent: string[] = [];
    const session = readOnlySession({ query: async (sql) => (sent.push(sql), []) });
    await expect(session.query('DROP TABLE x')).rejects.toThrow(ReadOnlyViolationError);
    expect(sent).toEqual([]);
  });
});
