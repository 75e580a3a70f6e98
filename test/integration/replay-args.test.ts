/**
 * The replay CLI's pure parts: arguments (every error names its flag), the sources a replay
 * covers, the archive key layout and the Glacier decision.
 */
import { parseReplayArgs, ReplayArgsError } from '../../bin/replay/args';
import { parseArchiveKey } from '../../contracts/archive-keys';
import { selectNewest, type ArchivedFile } from '../../bin/replay/plan';
import { copySource } from '../../bin/replay/copy';
import { archiveAccess } from '../../bin/replay/replay';
import { exitCodeOf, summarize } from '../../bin/replay/report';
import { loadConfigFile, resolveScope } from '../../bin/replay/scope';

const BASE = ['--env', 'dev', '--dataset', 'orders', '--from', '2024-05-01', '--to', '2024-05-02'];
const ENV = { ARCHIVE_BUCKET: 'my-archive', INBOUND_BUCKET: 'my-inbound' };

describe('parseReplayArgs', () => {
  test('GIVEN no bucket flag or variable WHEN parsed THEN the buckets are left to the deployed stack (undefined)', () => {
    const parsed = parseReplayArgs(BASE, { INBOUND_BUCKET: 'x-inbound' });
    expect(parsed.archiveBucket).toBeUndefined();
    expect(parsed.inboundBucket).toBe('x-inbound');
    expect(Object.keys(parseReplayArgs(BASE, {}))).not.toContain('archiveBucket');
  });

  test('GIVEN the required flags and bucket variables THEN defaults apply', () => {
    expect(parseReplayArgs(BASE, ENV)).toEqual({
      environment: 'dev',
      dataset: 'orders',
      source: undefined,
      from: '2024-05-01',
      to: '2024-05-02',
      dryRun: false,
      archiveBucket: 'my-archive',
      inboundBucket: 'my-inbound',
      configFile: undefined,
      reportFile: undefined,
      concurrency: 8,
      includeUnrouted: false,
    });
  });

  test('GIVEN bucket flags THEN they win over the environment variables', () => {
    const args = parseReplayArgs(
      [...BASE, '--archive-bucket', 'a-flag', '--inbound-bucket', 'i-flag', '--dry-run'],
      ENV,
    );
    expect(args).toMatchObject({ archiveBucket: 'a-flag', inboundBucket: 'i-flag', dryRun: true });
  });

  test.each([
    [['--dataset', 'orders', '--from', '2024-05-01', '--to', '2024-05-02'], ENV, '--env', 'is required'],
    [[...BASE.slice(0, 2), '--from', '2024-05-01', '--to', '2024-05-02'], ENV, '--dataset', 'is required'],
    [[...BASE, '--dataset', 'Orders!'], ENV, '--dataset', 'must match'],
    [[...BASE, '--source', 'UPPER'], ENV, '--source', 'must match'],
    [
      ['--env', 'dev', '--dataset', 'orders', '--from', '2024-02-30', '--to', '2024-03-01'],
      ENV,
      '--from',
      'not a date',
    ],
    [['--env', 'dev', '--dataset', 'orders', '--from', '2024-05-01', '--to', '05/02/2024'], ENV, '--to', 'not a date'],
    [
      ['--env', 'dev', '--dataset', 'orders', '--from', '2024-05-02', '--to', '2024-05-01'],
      ENV,
      '--to',
      'is before --from',
    ],
    [['--env', 'dev', '--dataset', 'orders', '--from', '2000-01-01', '--to', '2024-05-01'], ENV, '--to', 'longer than'],
    [BASE, { ARCHIVE_BUCKET: 'Bad_Archive' }, '--archive-bucket', '"Bad_Archive" is not a valid S3 bucket name'],
    [[...BASE, '--archive-bucket', 'Bad_Bucket'], ENV, '--archive-bucket', 'not a valid S3 bucket name'],
    [[...BASE, '--archive-bucket', 'same', '--inbound-bucket', 'same'], ENV, '--inbound-bucket', 'must differ'],
    [[...BASE, '--concurrency', '0'], ENV, '--concurrency', 'integer from 1 to 64'],
    [[...BASE, '--concurrency', '2.5'], ENV, '--concurrency', 'integer from 1 to 64'],
    [[...BASE, '--frm', '2024-05-01'], ENV, '--frm', 'Unknown option'],
    [[...BASE, '--dry-run=yes'], ENV, '--dry-run', 'does not take an argument'],
  ] as [string[], Record<string, string>, string, string][])(
    'GIVEN %j THEN the error names %s',
    (argv, env, flag, message) => {
      let caught: unknown;
      try {
        parseReplayArgs(argv, env);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ReplayArgsError);
      expect((caught as ReplayArgsError).flag).toBe(flag);
      expect((caught as ReplayArgsError).message).toContain(message);
    },
  );
});

describe('resolveScope', () => {
  const config = loadConfigFile(); // config/pipeline.ts, the example project config

  test('GIVEN no --source THEN every source allowed to upload the dataset is replayed', () => {
    expect(resolveScope(config, { environment: 'dev', dataset: 'retail_users' })).toEqual({
      sources: ['retail'],
      region: 'eu-west-1',
      account: config.environments.find((e) => e.name === 'dev')!.account,
    });
  });

  test.each([
    [{ environment: 'qa', dataset: 'listings' }, '--env', 'no environment "qa"'],
    [{ environment: 'dev', dataset: 'orders' }, '--dataset', 'no dataset "orders" in environment dev'],
    [{ environment: 'dev', dataset: 'listings', source: 'nobody' }, '--source', 'no source "nobody"'],
    [{ environment: 'dev', dataset: 'listings', source: 'weather' }, '--source', 'may not upload dataset "listings"'],
  ])('GIVEN %j THEN the error names %s', (args, flag, message) => {
    expect(() => resolveScope(config, args)).toThrow(
      expect.objectContaining({ flag, message: expect.stringContaining(message) }),
    );
  });

  test('GIVEN an unreadable config file THEN the error names --config', () => {
    expect(() => loadConfigFile('/nonexistent/pipeline.json')).toThrow(expect.objectContaining({ flag: '--config' }));
  });
});

describe('archive keys', () => {
  test.each([
    [
      'src/orders/dt=2024-05-01/v1/a/b.csv',
      { source: 'src', dataset: 'orders', date: '2024-05-01', inboundKey: 'src/orders/a/b.csv', unrouted: false },
    ],
    [
      '_unrouted/dt=2024-05-01/v1/src/orders/x.csv',
      { source: 'src', dataset: 'orders', inboundKey: 'src/orders/x.csv', unrouted: true },
    ],
  ])('GIVEN %s THEN it maps back to its inbound key', (key, expected) => {
    expect(parseArchiveKey(key)).toMatchObject(expected);
  });

  test.each([
    'src/orders/dt=2024-05-01/v1',
    'src/orders/dt=2024-13-01/v1/a.csv',
    'src/orders/2024-05-01/v1/a.csv',
    'src/orders/dt=2024-05-01/v1/a//b.csv',
    '_unrouted/dt=2024-05-01/v1/just-a-key.csv',
  ])('GIVEN %s outside the layout THEN it is not recognised', (key) => {
    expect(parseArchiveKey(key)).toBeUndefined();
  });

  test('GIVEN a key with spaces and unicode THEN the copy source is URI-encoded with slashes kept', () => {
    expect(copySource('b', 'src/ds/dt=2024-05-01/v1/a b/é+.csv')).toBe(
      'b/src/ds/dt%3D2024-05-01/v1/a%20b/%C3%A9%2B.csv',
    );
  });
});

describe('archiveAccess', () => {
  test.each([
    [{ StorageClass: undefined }, 'available'],
    [{ StorageClass: 'STANDARD_IA' }, 'available'],
    [{ StorageClass: 'GLACIER_IR' }, 'available'],
    [{ StorageClass: 'GLACIER' }, 'needs-restore'],
    [{ StorageClass: 'DEEP_ARCHIVE' }, 'needs-restore'],
    [{ StorageClass: 'GLACIER', Restore: 'ongoing-request="true"' }, 'restore-in-progress'],
    [
      { StorageClass: 'GLACIER', Restore: 'ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"' },
      'available',
    ],
    [{ StorageClass: 'INTELLIGENT_TIERING', ArchiveStatus: 'DEEP_ARCHIVE_ACCESS' }, 'needs-restore'],
    [{ StorageClass: 'INTELLIGENT_TIERING' }, 'available'],
  ] as [Parameters<typeof archiveAccess>[0], string][])('GIVEN %j THEN %s', (head, expected) => {
    expect(archiveAccess(head)).toBe(expected);
  });
});

describe('selectNewest and the exit code', () => {
  const file = (archiveKey: string, inboundKey: string, lastModified: string): ArchivedFile => ({
    archiveKey,
    inboundKey,
    source: 's',
    date: archiveKey.slice(7, 17),
    size: 1,
    etag: '"e"',
    lastModified,
    storageClass: 'STANDARD',
    unrouted: false,
  });

  test('GIVEN two archived versions of one inbound key THEN only the newest is replayed', () => {
    const older = file('s/d/dt=2024-05-02/v1/a.csv', 's/d/a.csv', '2024-05-02T10:00:00.000Z');
    const newer = file('s/d/dt=2024-05-01/v2/a.csv', 's/d/a.csv', '2024-05-02T11:00:00.000Z');
    const other = file('s/d/dt=2024-05-01/v3/b.csv', 's/d/b.csv', '2024-05-01T00:00:00.000Z');
    expect(selectNewest([older, newer, other])).toEqual({ files: [newer, other], superseded: [older] });
  });

  test('GIVEN outcomes THEN failures exit 1, files needing action exit 3, superseded or pending files exit 0', () => {
    const item = (status: 'copied' | 'skipped' | 'failed', reason?: 'needs-restore' | 'already-pending' | 'error') => ({
      archiveKey: 'k',
      size: 10,
      status,
      reason,
    });
    expect(exitCodeOf(summarize([item('copied'), item('skipped', 'already-pending')]))).toBe(0);
    expect(exitCodeOf(summarize([item('copied'), item('skipped', 'needs-restore')]))).toBe(3);
    expect(exitCodeOf(summarize([item('failed', 'error'), item('skipped', 'needs-restore')]))).toBe(1);
    expect(summarize([item('copied'), item('failed', 'error')])).toEqual({
      files: 2,
      copied: 1,
      bytes: 10,
      skipped: 0,
      failed: 1,
      reasons: { error: 1 },
    });
  });
});
