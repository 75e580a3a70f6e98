import { randomBytes } from 'crypto';
import { gunzipSync, gzipSync } from 'zlib';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../lambda/shared/s3-client';
import { startS3Server } from '../support/s3-server';
import { BUCKETS, injectFailure, ParserFixture, sqsRecord as sqs, useParserBed } from './parser-harness';

const bed = useParserBed();

describe('parser: formats end to end', () => {
  test('GIVEN a CSV with BOM, CRLF, quoted newlines and non-ASCII WHEN processed THEN lines round-trip, archive is byte-identical, inbound is empty', async () => {
    const original = Buffer.from('\uFEFFid,name,note\r\n1,"Zoë ""Z""","line1\r\nline2"\r\n2,日本,\r\n', 'utf8');
    const message = await bed.fx.upload('acme/orders/2024/batch 1.csv', original);
    const eventTime = new Date((message.Records[0] as { eventTime: string }).eventTime).toISOString();

    expect(await bed.fx.deliver(message)).toEqual({ batchItemFailures: [] });

    expect(await bed.fx.stageLines()).toEqual([
      {
        source: 'acme',
        source_key: 'acme/orders/2024/batch 1.csv',
        source_row: 1,
        received_at: eventTime,
        record: { id: '1', name: 'Zoë "Z"', note: 'line1\r\nline2' },
      },
      {
        source: 'acme',
        source_key: 'acme/orders/2024/batch 1.csv',
        source_row: 2,
        received_at: eventTime,
        record: { id: '2', name: '日本', note: '' },
      },
    ]);
    const stageKeys = await bed.server.list(BUCKETS.stage, 'data/');
    expect(stageKeys).toHaveLength(1);
    expect(stageKeys[0]).toMatch(
      new RegExp(`^data/orders/${eventTime.slice(0, 10)}/acme/2024_batch_1\\.csv-[0-9a-f]{16}\\.ndjson\\.gz$`),
    );
    const archived = await bed.server.list(BUCKETS.archive);
    expect(archived).toEqual([
      expect.stringMatching(new RegExp(`^acme/orders/dt=${eventTime.slice(0, 10)}/[^/]+/2024/batch 1\\.csv$`)),
    ]);
    expect((await bed.server.get(BUCKETS.archive, archived[0]))!.equals(original)).toBe(true);
    expect(await bed.server.list(BUCKETS.inbound)).toEqual([]);
    expect(await bed.server.list(BUCKETS.quarantine)).toEqual([]);
  });

  test('GIVEN gzip NDJSON with exact big numbers and a malformed line WHEN processed THEN good lines stage with their digits and the bad one is quarantined with its raw text', async () => {
    const text = '{"id": 123456789012345678901234567890, "price": 1.10, "tags": ["a", "ü"]}\n\n{not json}\n{"id":2}\n';
    await bed.fx.deliver(await bed.fx.upload('acme/events/e.ndjson.gz', gzipSync(text)));

    const keys = await bed.server.list(BUCKETS.stage, 'data/');
    const body = (await bed.fx.stageLines()).map((l) => [l.source_row, l.record]);
    expect(body).toEqual([
      [1, { id: Number('123456789012345678901234567890'), price: 1.1, tags: ['a', 'ü'] }],
      [3, { id: 2 }],
    ]);
    const raw = (await bed.server.get(BUCKETS.stage, keys[0]))!;
    expect(gunzipSync(raw).toString()).toContain('"record":{"id":123456789012345678901234567890,"price":1.10,');
    const rejects = await bed.fx.quarantineJson('.rejects.ndjson');
    expect(rejects).toEqual([
      expect.objectContaining({
        reason: 'MALFORMED_JSON',
        source_row: 2,
        source_key: 'acme/events/e.ndjson.gz',
        source_bucket: 'inbound',
        raw: '{not json}',
      }),
    ]);
    expect((await bed.server.list(BUCKETS.quarantine))[0]).toMatch(
      /^quarantine\/events\/\d{4}-\d\d-\d\d\/acme\/e\.ndjson-[0-9a-f]{16}\.rejects\.ndjson$/,
    );
  });

  test('GIVEN an auto dataset WHEN TSV, a JSON array and NDJSON arrive (extensions lying) THEN each is sniffed from content', async () => {
    await bed.fx.deliver(
      await bed.fx.upload('acme/mixed/a.csv', 'id\tname\n1\t"x"\n'),
      await bed.fx.upload('acme/mixed/b.ndjson', '[{"id": 2},\n {"id": 3}]'),
      await bed.fx.upload('acme/mixed/c.json', '{"id": 4}\n{"id": 5}\n'),
    );
    const lines = await bed.fx.stageLines();
    expect(lines.map((l) => [l.source_key, l.record])).toEqual(
      expect.arrayContaining([
        ['acme/mixed/a.csv', { id: '1', name: '"x"' }],
        ['acme/mixed/b.ndjson', { id: 2 }],
        ['acme/mixed/b.ndjson', { id: 3 }],
        ['acme/mixed/c.json', { id: 4 }],
        ['acme/mixed/c.json', { id: 5 }],
      ]),
    );
    expect(lines).toHaveLength(5);
  });

  test('GIVEN a json dataset with one pretty-printed object WHEN processed THEN one minified record', async () => {
    await bed.fx.deliver(
      await bed.fx.upload('acme/docs/one.json', '{\n  "id": 1,\n  "nested": { "a": [1, 2.0] }\n}\n'),
    );
    expect((await bed.fx.stageLines()).map((l) => l.record)).toEqual([{ id: 1, nested: { a: [1, 2] } }]);
  });
});

describe('parser: per-dataset limits', () => {
  test('GIVEN maxDepth 2 and maxRecordBytes 1024 WHEN records breach them THEN TOO_DEEP and RECORD_TOO_LARGE rows, others staged', async () => {
    const text = [
      '{"id":1,"a":{"b":1}}',
      '{"id":2,"a":{"b":{"c":1}}}',
      `{"id":3,"s":"${'é'.repeat(600)}"}`,
      '{"id":4}',
    ];
    expect(await bed.fx.deliver(await bed.fx.upload('acme/strict/l.ndjson', text.join('\n')))).toEqual({
      batchItemFailures: [],
    });
    expect((await bed.fx.stageLines()).map((l) => [l.source_row, l.record.id])).toEqual([
      [1, 1],
      [4, 4],
    ]);
    const rejects = await bed.fx.quarantineJson('.rejects.ndjson');
    expect(rejects.map((r) => [r.source_row, r.reason, r.raw])).toEqual([
      [2, 'TOO_DEEP', text[1]],
      [3, 'RECORD_TOO_LARGE', text[2]],
    ]);
    expect(rejects[0].message).toBe('acme/strict/l.ndjson row 2: nesting deeper than 2 levels');
  });
});

describe('parser: file-level rejects', () => {
  const fileReject = async (key: string, body: string | Buffer, reason: string) => {
    const response = await bed.fx.deliver(await bed.fx.upload(key, body));
    expect(response.batchItemFailures).toEqual([]);
    expect(await bed.server.list(BUCKETS.stage, 'data/')).toEqual([]);
    const reports = await bed.fx.quarantineJson('.file.json');
    expect(reports).toEqual([expect.objectContaining({ reason, source_key: key, source_bucket: 'inbound' })]);
    const archived = await bed.server.list(BUCKETS.archive);
    expect(archived).toHaveLength(1);
    expect((await bed.server.get(BUCKETS.archive, archived[0]))!.equals(Buffer.from(body))).toBe(true);
    expect(await bed.server.list(BUCKETS.inbound)).toEqual([]);
    return reports[0];
  };

  test('GIVEN truncated gzip WHEN processed THEN CORRUPT_GZIP, nothing staged, original archived', async () => {
    const gz = gzipSync('{"id":1}\n'.repeat(1000));
    await fileReject('acme/events/cut.ndjson.gz', gz.subarray(0, gz.length - 20), 'CORRUPT_GZIP');
  });

  test('GIVEN a decompression bomb WHEN processed THEN COMPRESSION_RATIO, nothing staged', async () => {
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20));
    await fileReject('acme/events/bomb.gz', bomb, 'COMPRESSION_RATIO');
  });

  test('GIVEN a file over maxDecompressedBytes WHEN processed THEN DECOMPRESSED_TOO_LARGE', async () => {
    await fileReject('acme/small/big.csv', 'id\n' + '1\n'.repeat(600), 'DECOMPRESSED_TOO_LARGE');
  });

  test('GIVEN invalid UTF-8 after good rows WHEN processed THEN INVALID_UTF8 and none of its rows are staged', async () => {
    const body = Buffer.concat([Buffer.from('id,name\n1,ok\n2,'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]);
    const report = await fileReject('acme/orders/latin1.csv', body, 'INVALID_UTF8');
    expect(report.message).toMatch(/not valid UTF-8/);
  });

  test('GIVEN a JSON array with garbage between elements WHEN processed THEN NOT_PARSEABLE', async () => {
    await fileReject('acme/docs/bad.json', '[{"id":1} {"id":2}]', 'NOT_PARSEABLE');
  });

  test.each([
    ['unknown dataset', 'acme/nowhere/x.csv', 'UNKNOWN_DATASET', /^quarantine\/_unrouted\/[\d-]+\/acme\//],
    ['no dataset segment', 'acme/x.csv', 'NO_DATASET_SEGMENT', /^quarantine\/_unrouted\/[\d-]+\/acme\//],
    ['invalid source name', 'Bad Source/orders/x.csv', 'UNKNOWN_SOURCE', /^quarantine\/_unrouted\/[\d-]+\/_unknown\//],
  ])(
    'GIVEN %s WHEN processed THEN quarantined, archived under _unrouted and removed',
    async (_what, key, reason, prefix) => {
      await fileReject(key, 'id\n1\n', reason);
      expect((await bed.server.list(BUCKETS.quarantine))[0]).toMatch(prefix);
      expect((await bed.server.list(BUCKETS.archive))[0]).toMatch(new RegExp(`^_unrouted/dt=[\\d-]+/[^/]+/${key}$`));
    },
  );

  test('GIVEN SOURCES lists known sources WHEN another source uploads THEN UNKNOWN_SOURCE', async () => {
    bed.fx = new ParserFixture(bed.server, createS3Client(), { SOURCES: JSON.stringify(['acme']) });
    await fileReject('other/orders/x.csv', 'id\n1\n', 'UNKNOWN_SOURCE');
  });

  test('GIVEN SOURCES allows acme only orders WHEN acme uploads to events THEN DATASET_NOT_ALLOWED: quarantined, archived under _unrouted, removed; never retried', async () => {
    bed.fx = new ParserFixture(bed.server, createS3Client(), {
      SOURCES: JSON.stringify({ acme: ['orders'], beta: '*' }),
    });
    const key = 'acme/events/2024/e.ndjson';
    const report = await fileReject(key, '{"id":1}\n', 'DATASET_NOT_ALLOWED');
    expect(report).toMatchObject({
      message: `${key}: source "acme" may not write dataset "events"`,
      archive_key: expect.stringMatching(new RegExp(`^_unrouted/dt=[\\d-]+/[^/]+/${key}$`)),
    });
    expect((await bed.server.list(BUCKETS.quarantine))[0]).toMatch(/^quarantine\/_unrouted\/[\d-]+\/acme\//);

    // The allowed dataset of the same source, and any dataset of a "*" source, are staged.
    await bed.fx.deliver(
      await bed.fx.upload('acme/orders/o.csv', 'id\n1\n'),
      await bed.fx.upload('beta/events/e.ndjson', '{"id":2}\n'),
    );
    expect((await bed.fx.stageLines()).map((l) => [l.source, l.source_key])).toEqual(
      expect.arrayContaining([
        ['acme', 'acme/orders/o.csv'],
        ['beta', 'beta/events/e.ndjson'],
      ]),
    );
    expect(await bed.server.list(BUCKETS.inbound)).toEqual([]);
  });
});

describe('parser: events and keys', () => {
  test('GIVEN keys with spaces, plus signs and unicode WHEN the event key is URL-encoded THEN the object is found and routed', async () => {
    const key = 'acme/orders/a b+c %2B é.csv';
    const message = await bed.fx.upload(key, 'id\n7\n');
    expect(JSON.stringify(message)).toContain('a+b%2Bc+%252B+%C3%A9.csv');
    expect(await bed.fx.deliver(message)).toEqual({ batchItemFailures: [] });
    expect((await bed.fx.stageLines()).map((l) => [l.source_key, l.record])).toEqual([[key, { id: '7' }]]);
    expect(await bed.server.list(BUCKETS.archive)).toEqual([expect.stringMatching(/\/a b\+c %2B é\.csv$/)]);
  });

  test('GIVEN an s3:TestEvent and a folder marker WHEN delivered THEN acknowledged with no effect', async () => {
    const folder = await bed.fx.upload('acme/orders/', '');
    expect(await bed.fx.deliver({ Event: 's3:TestEvent', Bucket: 'inbound' }, folder)).toEqual({
      batchItemFailures: [],
    });
    expect(await bed.server.list(BUCKETS.stage, 'data/')).toEqual([]);
    expect(await bed.server.list(BUCKETS.archive)).toEqual([]);
    expect(await bed.server.list(BUCKETS.inbound)).toEqual(['acme/orders/']);
  });

  test('GIVEN the same event delivered three times WHEN processed THEN identical stage objects and one archive copy', async () => {
    const message = await bed.fx.upload('acme/orders/dup.csv', 'id\n1\n2\n');
    expect(await bed.fx.deliver(message)).toEqual({ batchItemFailures: [] });
    const first = await bed.fx.snapshot();
    // Re-upload the same bytes without a new event: a duplicate that arrives before the delete is seen.
    await bed.server.put(BUCKETS.inbound, 'acme/orders/dup.csv', 'id\n1\n2\n');
    expect(await bed.fx.deliver(message, message)).toEqual({ batchItemFailures: [] });
    const after = await bed.fx.snapshot();
    expect([...after.keys()]).toEqual([...first.keys()]);
    for (const [k, v] of first) expect(after.get(k)!.equals(v)).toBe(true);
    expect(await bed.server.list(BUCKETS.archive)).toHaveLength(1);
    expect(await bed.fx.stageLines()).toHaveLength(2);
  });

  test('GIVEN an event whose object was overwritten WHEN processed THEN superseded; the newer event processes the new bytes', async () => {
    const old = await bed.fx.upload('acme/orders/o.csv', 'id\n1\n');
    const newer = await bed.fx.upload('acme/orders/o.csv', 'id\n2\n');
    expect(await bed.fx.deliver(old)).toEqual({ batchItemFailures: [] });
    expect(await bed.server.list(BUCKETS.stage, 'data/')).toEqual([]);
    expect(await bed.server.list(BUCKETS.inbound)).toEqual(['acme/orders/o.csv']);
    await bed.fx.deliver(newer);
    expect((await bed.fx.stageLines()).map((l) => l.record)).toEqual([{ id: '2' }]);
  });

  test('GIVEN the key is overwritten after the read, before the archive copy WHEN processed THEN old rows stay staged and the newer version is neither archived under the old tag nor deleted', async () => {
    const first = await bed.fx.upload('acme/orders/race.csv', 'id\n1\n');
    const s3 = createS3Client();
    let newer: unknown;
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'CopyObjectCommand' && newer === undefined) {
          newer = await bed.fx.upload('acme/orders/race.csv', 'id\n2\n');
        }
        return next(args);
      },
      { step: 'initialize', name: 'concurrent-upload' },
    );
    bed.fx = new ParserFixture(bed.server, s3);

    expect(await bed.fx.deliver(first)).toEqual({ batchItemFailures: [] });
    expect((await bed.fx.stageLines()).map((l) => l.record)).toEqual([{ id: '1' }]);
    expect(await bed.server.list(BUCKETS.archive)).toEqual([]);
    expect((await bed.server.get(BUCKETS.inbound, 'acme/orders/race.csv'))!.toString()).toBe('id\n2\n');

    expect(await bed.fx.deliver(newer)).toEqual({ batchItemFailures: [] });
    expect((await bed.fx.stageLines()).map((l) => l.record)).toEqual(
      expect.arrayContaining([{ id: '1' }, { id: '2' }]),
    );
    expect(await bed.server.list(BUCKETS.archive)).toHaveLength(1);
    expect(await bed.server.list(BUCKETS.inbound)).toEqual([]);
  });

  test('GIVEN an event for an object that no longer exists WHEN processed THEN acknowledged without effects', async () => {
    const message = await bed.fx.upload('acme/orders/gone.csv', 'id\n1\n');
    await bed.server.client.send(new DeleteObjectCommand({ Bucket: BUCKETS.inbound, Key: 'acme/orders/gone.csv' }));
    expect(await bed.fx.deliver(message)).toEqual({ batchItemFailures: [] });
    expect((await bed.fx.snapshot()).size).toBe(0);
  });

  test('GIVEN a batch with a non-S3 message and a transient S3 error WHEN processed THEN only those records fail', async () => {
    const good = await bed.fx.upload('acme/orders/good.csv', 'id\n1\n');
    const flaky = await bed.fx.upload('acme/orders/flaky.csv', 'id\n2\n');
    const s3 = createS3Client();
    injectOnce(s3);
    bed.fx = new ParserFixture(bed.server, s3);
    const response = await bed.fx.handler({
      Records: [
        { ...sqs(good), messageId: 'good' },
        { ...sqs('not json'), messageId: 'garbage' },
        { ...sqs(flaky), messageId: 'flaky' },
      ],
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'garbage' }, { itemIdentifier: 'flaky' }]);
    expect((await bed.fx.stageLines()).map((l) => l.source_key)).toEqual(['acme/orders/good.csv']);
    expect(await bed.server.list(BUCKETS.inbound)).toEqual(['acme/orders/flaky.csv']);
  });

  test('GIVEN an invocation running out of time WHEN a batch has more records THEN the first is processed and the rest are redelivered untouched', async () => {
    const first = await bed.fx.upload('acme/orders/first.csv', 'id\n1\n');
    const second = await bed.fx.upload('acme/orders/second.csv', 'id\n2\n');
    bed.fx = new ParserFixture(bed.server, createS3Client(), {}, 60_000);
    // 30 s left, the reserve is 60 s: the first record always starts (progress), the second waits.
    bed.fx.context = { getRemainingTimeInMillis: () => 30_000 };
    const response = await bed.fx.handler({
      Records: [
        { ...sqs(first), messageId: 'first' },
        { ...sqs(second), messageId: 'second' },
      ],
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'second' }]);
    expect(await bed.server.list(BUCKETS.inbound)).toEqual(['acme/orders/second.csv']);
    expect((await bed.fx.stageLines()).map((l) => l.source_key)).toEqual(['acme/orders/first.csv']);

    // WHEN redelivered to an invocation with time to spare THEN it is processed like any other record.
    bed.fx.context = { getRemainingTimeInMillis: () => 600_000 };
    expect((await bed.fx.handler({ Records: [{ ...sqs(second), messageId: 'second' }] })).batchItemFailures).toEqual(
      [],
    );
    expect(await bed.server.list(BUCKETS.inbound)).toEqual([]);
    expect((await bed.fx.stageLines()).map((l) => l.source_key).sort()).toEqual([
      'acme/orders/first.csv',
      'acme/orders/second.csv',
    ]);
  });
});

function injectOnce(s3: ReturnType<typeof createS3Client>): void {
  injectFailure(s3, 'GetObjectCommand', { when: (input) => input.Key === 'acme/orders/flaky.csv' });
}

describe('parser: crash between effects, then retry', () => {
  const body = 'id,v\n' + Array.from({ length: 50 }, (_, i) => `${i},"x${i}"`).join('\n') + '\n,bad,row\n';

  const cleanRun = async () => {
    const message = await bed.fx.upload('acme/orders/c.csv', body);
    await bed.fx.deliver(message);
    return { message, state: await bed.fx.snapshot() };
  };

  test.each([
    ['while staging (UploadPart/PutObject)', 'PutObjectCommand'],
    ['between stage and archive', 'CopyObjectCommand'],
    ['between archive and delete', 'DeleteObjectCommand'],
  ])('GIVEN a failure %s WHEN the message is retried THEN the end state equals a clean run', async (_when, command) => {
    const { message, state: clean } = await cleanRun();
    // Reset: same object version back in inbound, everything else cleared.
    await bed.server.stop();
    bed.server = await startS3Server({ buckets: Object.values(BUCKETS) });
    Object.assign(process.env, bed.server.env);
    const s3 = createS3Client();
    injectFailure(s3, command);
    bed.fx = new ParserFixture(bed.server, s3);
    await bed.server.put(BUCKETS.inbound, 'acme/orders/c.csv', body);

    const failed = await bed.fx.deliver(message);
    expect(failed.batchItemFailures).toHaveLength(1);
    expect(await bed.fx.deliver(message)).toEqual({ batchItemFailures: [] });

    const after = await bed.fx.snapshot();
    expect([...after.keys()].sort()).toEqual([...clean.keys()].sort());
    for (const [k, v] of clean) expect({ k, same: after.get(k)!.equals(v) }).toEqual({ k, same: true });
  });

  test('GIVEN a crash after the delete WHEN the message is retried THEN it is recognised as done (archive holds it)', async () => {
    const { message, state } = await cleanRun();
    expect(await bed.fx.deliver(message)).toEqual({ batchItemFailures: [] });
    const after = await bed.fx.snapshot();
    expect([...after.keys()]).toEqual([...state.keys()]);
  });
});

describe('parser: split outputs', () => {
  test('GIVEN more compressed output than outputPartBytes WHEN processed THEN several parts, in order, identical on a retry', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 11000; i++) lines.push(`{"id":${i},"blob":"${randomBytes(600).toString('base64')}"}`);
    const message = await bed.fx.upload('acme/split/big.ndjson', lines.join('\n'));
    expect(await bed.fx.deliver(message)).toEqual({ batchItemFailures: [] });
    const keys = await bed.server.list(BUCKETS.stage, 'data/');
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(keys[0]).toMatch(/big\.ndjson-[0-9a-f]{16}\.ndjson\.gz$/);
    expect(keys[1]).toMatch(/big\.ndjson-[0-9a-f]{16}\.part-0002\.ndjson\.gz$/);
    const first = new Map<string, Buffer>();
    for (const k of keys) first.set(k, (await bed.server.get(BUCKETS.stage, k))!);
    for (const k of keys.slice(0, -1)) expect(first.get(k)!.length).toBeGreaterThanOrEqual(5 * 1024 * 1024);
    const staged = keys.flatMap((k) =>
      gunzipSync(first.get(k)!)
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { source_row: number; record: { id: number } }),
    );
    expect(staged.map((l) => l.source_row)).toEqual(lines.map((_, i) => i + 1));
    expect(staged.map((l) => l.record.id)).toEqual(lines.map((_, i) => i));

    await bed.server.put(BUCKETS.inbound, 'acme/split/big.ndjson', lines.join('\n'));
    await bed.fx.deliver(message);
    expect(await bed.server.list(BUCKETS.stage, 'data/')).toEqual(keys);
    for (const k of keys) expect((await bed.server.get(BUCKETS.stage, k))!.equals(first.get(k)!)).toBe(true);
  });
});
