/**
 * The sandbox's building blocks that need no servers: S3 event encoding, message descriptions,
 * the command line, and the settings derived from the pipeline config.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { describeMessage } from '../../bin/sandbox/event-source';
import { encodeEventKey, s3NotificationBody } from '../../bin/sandbox/notifications';
import { UsageError, parseOptions } from '../../bin/sandbox/options';
import { loadSandboxPipeline } from '../../bin/sandbox/pipeline-config';
import { inputFiles } from '../../bin/sandbox/uploads';
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
    expect(parseOptions([], '/work', ROOT)).toEqual({
      dataDir: join(ROOT, 'examples'),
      watch: false,
      reset: false,
      configPath: join(ROOT, 'config', 'pipeline.ts'),
      environment: undefined,
      stateDir: '/work/.sandbox',
      retryDelaySeconds: 1,
      verbose: false,
      summaryJson: undefined,
    });
    expect(parseOptions(['--data', 'mine', '--watch', '--reset', '--env', 'prod'], '/w', ROOT)).toMatchObject({
      dataDir: '/w/mine',
      watch: true,
      reset: true,
      environment: 'prod',
    });
    expect(parseOptions(['--help'], '/w', ROOT)).toBe('help');
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

  it('fails with the config error naming the field, or the missing file', () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ project: 'x', sources: [], datasets: [], environments: [] }));
    expect(() => loadSandboxPipeline(join(dir, 'bad.json'))).toThrow(/sources: must list at least one source/);
    expect(() => loadSandboxPipeline(join(dir, 'missing.ts'))).toThrow(/--config: no such file/);
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
});
