/**
 * The sandbox's building blocks that need no servers: S3 event encoding, message descriptions,
 * the command line, and the settings derived from the pipeline config.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { describeMessage } from '../../bin/sandbox/event-source';
import { encodeEventKey, s3NotificationBody } from '../../bin/sandbox/notifications';
import { UsageError, parseOptions } from '../../bin/sandbox/options';
import { loadSandboxPipeline } from '../../bin/sandbox/pipeline-config';
import { inputFiles } from '../../bin/sandbox/uploads';
import { sqlDirectories } from '../../lib/snowflake/data-model-input';
import { formatSummary, runStatus } from '../../bin/sandbox/summary';
import { DEFAULT_INGESTION, VISIBILITY_TIMEOUT_FACTOR } from '../../contracts/defaults';
import { ROOT } from './sandbox-support';

const decodeS3Key = (key: string) => decodeURIComponent(key.replace(/\+/g, ' '));

describe('S3 event notifications', () => {
  it('URL-encodes keys like S3: + for a space, / kept, UTF-8 and reserved characters escaped', () => {
    expect(encodeEventKey('webapp/events/late arrivals ü+1.ndjson')).toBe(
      'webapp/events/late+arrivals+%C3%BC%2B1.ndjson',
    );
    expect(encodeEventKey("a/b=c&d/(x)!*'.csv")).toBe('a/b%3Dc%26d/%28x%29%21%2A%27.csv');
    for (const key of ['plain/key.csv', 'sp ace/%41/plus+/日本語.json', "q'uote/a+b c.csv"]) {
      expect(decodeS3Key(encodeEventKey(key))).toBe(key);
    }
  });

  it('builds the message body AWS sends for an ObjectCreated event', () => {
    const body = JSON.parse(
      s3NotificationBody({
        eventName: 'ObjectCreated:Put',
        eventTime: '2026-11-21T10:00:00.123Z',
        s3: {
          bucket: { name: 'sandbox-inbound' },
          object: { key: 'a b/c.csv', size: 12, eTag: 'abc', sequencer: '0A1' },
        },
      }),
    );
    expect(body.Records).toHaveLength(1);
    expect(body.Records[0]).toMatchObject({
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      eventTime: '2026-11-21T10:00:00.123Z',
      s3: {
        bucket: { name: 'sandbox-inbound', arn: 'arn:aws:s3:::sandbox-inbound' },
        object: { key: 'a+b/c.csv', size: 12, eTag: 'abc', sequencer: '0A1' },
      },
    });
  });

  it('describes a failed message by its decoded object keys, or by an excerpt when it is not an S3 event', () => {
    const body = s3NotificationBody({
      eventName: 'ObjectCreated:Put',
      eventTime: '2026-11-21T10:00:00.000Z',
      s3: { bucket: { name: 'in' }, object: { key: 'x y/z.csv', eTag: 'e', sequencer: '1' } },
    });
    expect(describeMessage(body)).toBe('s3://in/x y/z.csv');
    expect(describeMessage('garbage')).toBe('a message that is not an S3 event: "garbage"');
    expect(describeMessage('x'.repeat(100))).toMatch(/"x{60}…"$/);
  });
});

describe('command line', () => {
  it('defaults to the examples, the project config and .sandbox', () => {
    expect(parseOptions([], '/work', ROOT, {})).toEqual({
      dataDir: join(ROOT, 'examples'),
      watch: false,
      reset: false,
      configPath: join(ROOT, 'config', 'pipeline.ts'),
      environment: undefined,
      stateDir: '/work/.sandbox',
      retryDelaySeconds: 1,
      verbose: false,
      summaryJson: undefined,
      strict: false,
      // no --gold: the gold folder comes from the config's sqlDirectory (else this repository's)
      progressSeconds: 5,
    });
    expect(parseOptions(['--data', 'mine', '--watch', '--reset', '--env', 'prod'], '/w', ROOT, {})).toMatchObject({
      dataDir: '/w/mine',
      watch: true,
      reset: true,
      environment: 'prod',
    });
    expect(parseOptions(['--help'], '/w', ROOT)).toBe('help');
  });

  it("GIVEN --data without --state WHEN parsed THEN the run gets its own state directory, never the examples' .sandbox", () => {
    const a = parseOptions(['--data', 'mine'], '/w', ROOT, {}) as { stateDir: string };
    const b = parseOptions(['--data', 'other/mine'], '/w', ROOT, {}) as { stateDir: string };
    expect(a.stateDir).toMatch(/^\/w\/\.sandbox-data\/mine-[0-9a-f]{8}$/);
    expect(b.stateDir).toMatch(/^\/w\/\.sandbox-data\/mine-[0-9a-f]{8}$/);
    expect(a.stateDir).not.toBe(b.stateDir);
    expect(parseOptions(['--data', 'mine', '--state', 's'], '/w', ROOT, {})).toMatchObject({ stateDir: '/w/s' });
  });

  it('GIVEN PIPELINE_CONFIG WHEN no --config THEN the sandbox uses it, and --config still wins', () => {
    expect(parseOptions([], '/w', ROOT, { PIPELINE_CONFIG: 'my.json' })).toMatchObject({ configPath: '/w/my.json' });
    expect(parseOptions(['--config', 'x.ts'], '/w', ROOT, { PIPELINE_CONFIG: 'my.json' })).toMatchObject({
      configPath: '/w/x.ts',
    });
  });

  it('GIVEN --strict, --gold and --progress WHEN parsed THEN they are honoured, and a bad --progress is named', () => {
    expect(parseOptions(['--strict', '--gold', 'g', '--progress', '0.5'], '/w', ROOT, {})).toMatchObject({
      strict: true,
      goldDir: '/w/g',
      progressSeconds: 0.5,
    });
    expect(() => parseOptions(['--progress', '0'], '/w', ROOT, {})).toThrow('--progress must be a number');
  });

  it('rejects unknown options and bad values with a message naming the option', () => {
    expect(() => parseOptions(['--wacth'], '/w', ROOT)).toThrow(UsageError);
    expect(() => parseOptions(['--wacth'], '/w', ROOT)).toThrow(/--wacth/);
    expect(() => parseOptions(['--retry-delay', 'soon'], '/w', ROOT)).toThrow('--retry-delay must be a whole number');
    expect(() => parseOptions(['--data', ''], '/w', ROOT)).toThrow('--data must not be empty');
  });
});

describe('settings from the pipeline config', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'sandbox-config-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("uses the deployed event source's batch size, visibility timeout and redrive", () => {
    const p = loadSandboxPipeline(join(ROOT, 'config', 'pipeline.ts'));
    expect(p.resolved.environment.name).toBe('dev');
    expect(p).toMatchObject({
      batchSize: DEFAULT_INGESTION.batchSize,
      parserTimeoutSeconds: DEFAULT_INGESTION.parserTimeoutSeconds,
      visibilityTimeoutSeconds: DEFAULT_INGESTION.parserTimeoutSeconds * VISIBILITY_TIMEOUT_FACTOR,
      maxReceiveCount: DEFAULT_INGESTION.maxReceiveCount,
    });
    expect(p.schemas).toMatchObject({ database: 'INGEST_DEV', raw: 'RAW', core: 'CORE', gold: 'GOLD' });
  });

  it('honours an environment’s ingestion settings from a JSON config', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const config = JSON.parse(JSON.stringify(require('../../config/pipeline').default));
    config.environments[1].ingestion = { batchSize: 3, parserTimeoutSeconds: 60, maxReceiveCount: 2 };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    expect(loadSandboxPipeline(join(dir, 'config.json'), 'prod')).toMatchObject({
      batchSize: 3,
      visibilityTimeoutSeconds: 360,
      maxReceiveCount: 2,
      schemas: { database: 'INGEST' },
    });
  });

  it("GIVEN a JSON config naming a relative sqlDirectory WHEN loaded THEN the sandbox's SQL folders are the config file's", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const config = JSON.parse(JSON.stringify(require('../../config/pipeline').default));
    config.sqlDirectory = 'my-sql';
    writeFileSync(join(dir, 'with-sql.json'), JSON.stringify(config));
    const { resolved } = loadSandboxPipeline(join(dir, 'with-sql.json'));
    expect(resolved.sqlDirectory).toBe(join(dir, 'my-sql'));
    expect(sqlDirectories(resolved.sqlDirectory)).toMatchObject({
      warehouseDirectory: join(dir, 'my-sql', 'warehouse'),
      martDirectory: join(dir, 'my-sql', 'mart'),
    });
    expect(sqlDirectories()).toMatchObject({
      warehouseDirectory: join(ROOT, 'snowflake', 'warehouse'),
      martDirectory: join(ROOT, 'snowflake', 'mart'),
    });
  });

  it('fails with the config error naming the field, or the missing file', () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ project: 'x', sources: [], datasets: [], environments: [] }));
    expect(() => loadSandboxPipeline(join(dir, 'bad.json'))).toThrow(/sources: must list at least one source/);
    expect(() => loadSandboxPipeline(join(dir, 'missing.ts'))).toThrow(/missing\.ts: no such file$/);
    writeFileSync(join(dir, 'syntax.json'), '{ "project": "x", ');
    expect(() => loadSandboxPipeline(join(dir, 'syntax.json'))).toThrow(
      `Invalid config file:\n  ${join(dir, 'syntax.json')}: cannot load (`,
    );
    expect(() => loadSandboxPipeline(join(ROOT, 'config', 'pipeline.ts'), 'staging')).toThrow(
      /no environment named "staging" \(have: dev, prod\)/,
    );
  });
});

describe('input files', () => {
  it('maps <dir>/<source>/<dataset>/… to inbound keys and ignores top-level files', () => {
    const { files, ignored } = inputFiles(join(ROOT, 'examples'));
    expect(ignored).toEqual(expect.arrayContaining(['generate.ts']));
    expect(files.map((f) => f.key)).toContain('webapp/events/2026/11/20/events-1400.ndjson.gz');
    expect(files.every((f) => /^[a-z]+\/[a-z_]+\/.+/.test(f.key))).toBe(true);
    expect(() => inputFiles(join(ROOT, 'no-such-dir'))).toThrow(/--data: .* is not a directory/);
  });

  it('GIVEN files in nested folders WHEN listed THEN they come in key order (code units), whatever the folder walk order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-order-'));
    const keys = ['s/d/b/1.csv', 's/d/a.json', 's/d/a-corrections.json', 's/d/B.csv', 's/c/z.csv', 's/d/a/x.csv'];
    for (const k of keys) {
      mkdirSync(join(dir, ...k.split('/').slice(0, -1)), { recursive: true });
      writeFileSync(join(dir, ...k.split('/')), 'x');
    }
    const expected = [...keys].sort((a, b) => Buffer.from(a).compare(Buffer.from(b)));
    expect(inputFiles(dir).files.map((f) => f.key)).toEqual(expected);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('run status and ledger totals', () => {
  const file = { sourceKey: 's/d/x.csv', reason: 'CORRUPT_GZIP', message: 'm', report: 's3://b/q.file.json' };
  const merge = {
    dataset: 'd',
    stage: 'merge' as const,
    reason: 'PRIMARY_KEY_MISSING',
    rows: 2,
    where: ['CORE.D_REJECTS'],
  };
  const ledger = {
    files: 3,
    accounted: 3,
    notAccounted: [],
    rows: {
      in: 10,
      inQuarantinedFiles: 0,
      staged: 9,
      quarantined: 1,
      loaded: 9,
      merged: 7,
      superseded: 1,
      rejected: 1,
    },
    castFailures: 4,
    filesWithDrift: 1,
  };

  it('GIVEN problems, rejects, cast failures or nothing WHEN the status is decided THEN FAILED beats COMPLETED WITH REJECTS beats OK', () => {
    expect(runStatus(['x'], [file], [merge]).status).toBe('FAILED');
    expect(runStatus([], [file], [merge])).toEqual({
      status: 'COMPLETED WITH REJECTS',
      statusLine: 'COMPLETED WITH REJECTS: 1 file(s) quarantined, 2 row(s) rejected by the MERGE (details below)',
    });
    const noRowRejected = { ...ledger, rows: { ...ledger.rows, rejected: 0 } };
    expect(runStatus([], [], [], noRowRejected).statusLine).toBe(
      'COMPLETED WITH REJECTS: 4 value(s) failed their cast (details below)',
    );
    expect(runStatus([], [], [], { ...noRowRejected, castFailures: 0 }).status).toBe('OK');
  });

  it('GIVEN rows the ledger counts as rejected (a key reject or onCastError reject) WHEN the status is decided THEN the status line counts them as rows rejected by the MERGE', () => {
    expect(runStatus([], [], [], ledger).statusLine).toBe(
      'COMPLETED WITH REJECTS: 1 row(s) rejected by the MERGE, 4 value(s) failed their cast (details below)',
    );
    const cast = {
      dataset: 'd',
      stage: 'merge' as const,
      reason: 'CAST_FAILED',
      rows: 3,
      rowsRejected: 2,
      where: ['CORE.D_REJECTS'],
    };
    expect(runStatus([], [], [cast]).statusLine).toBe(
      'COMPLETED WITH REJECTS: 2 row(s) rejected by the MERGE, 3 value(s) failed their cast (details below)',
    );
  });

  it('GIVEN ledger totals WHEN the summary is formatted THEN one ledger line gives them', () => {
    const summary = {
      ...runStatus([], [], [], ledger),
      environment: 'dev',
      input: { uploaded: 0, unchanged: 0, ignored: [] },
      delivery: { invocations: 0, messages: 0, failures: 0, handlerErrors: [], dlq: 0, dlqMessages: [] },
      parser: { archived: 3, leftInInbound: 0, quarantinedFiles: 0, quarantinedRows: 0, quarantineByReason: {} },
      stage: { files: 3, loadedThisRun: 0, rowsLoadedThisRun: 0, failedLoads: [] },
      rows: { in: 10, staged: 10, out: 10, rejected: 0, quarantined: 0 },
      tables: [],
      gold: { created: [], skipped: [] },
      quarantinedFiles: [],
      rejectedRows: [],
      drift: [],
      ledger,
      problems: [],
      elapsedSeconds: 1,
    };
    const lines = formatSummary(summary);
    const at = lines.indexOf(
      '  ledger     3 file version(s), 3 accounted for, 0 not; 10 row(s) read, 4 cast failure(s), 1 file(s) with drift',
    );
    expect(at).toBeGreaterThan(-1);
    expect(lines[at + 1]).toBe(
      '             rows: 7 merged, 1 superseded, 1 rejected, 1 quarantined (of 9 staged, 9 loaded)',
    );
  });

  it('GIVEN rows read from files that were then quarantined whole WHEN the summary is formatted THEN the ledger line says how many of the rows read were never staged', () => {
    // 10 rows in staged files + 1130 read from a truncated .csv.gz before it failed.
    const withBroken = {
      ...ledger,
      files: 4,
      accounted: 4,
      rows: { ...ledger.rows, in: 1140, inQuarantinedFiles: 1130 },
    };
    const lines = formatSummary({
      ...runStatus([], [file], [], withBroken),
      environment: 'dev',
      input: { uploaded: 0, unchanged: 0, ignored: [] },
      delivery: { invocations: 0, messages: 0, failures: 0, handlerErrors: [], dlq: 0, dlqMessages: [] },
      parser: { archived: 4, leftInInbound: 0, quarantinedFiles: 1, quarantinedRows: 0, quarantineByReason: {} },
      stage: { files: 3, loadedThisRun: 0, rowsLoadedThisRun: 0, failedLoads: [] },
      rows: { in: 10, staged: 9, out: 9, rejected: 0, quarantined: 1 },
      tables: [],
      gold: { created: [], skipped: [] },
      quarantinedFiles: [file],
      rejectedRows: [],
      drift: [],
      ledger: withBroken,
      problems: [],
      elapsedSeconds: 1,
    });
    expect(lines).toContain(
      '  ledger     4 file version(s), 4 accounted for, 0 not; 1140 row(s) read (1130 in quarantined files, none staged), ' +
        '4 cast failure(s), 1 file(s) with drift',
    );
  });
});
