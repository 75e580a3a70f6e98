/**
 * The parser against s3rver as it ships (no S3-semantics layer in front): such S3-compatible servers ignore
 * If-Match and decode `x-amz-copy-source` with decodeURI. The pipeline's guarantees must still hold.
 */
import { BUCKETS, useParserBed } from './parser-harness';

// GIVEN a plain s3rver
const bed = useParserBed({ s3: { plain: true } });

describe('parser on a plain S3-compatible server', () => {
  test('GIVEN keys with +, = and & (CopyObject cannot resolve them there) WHEN processed THEN staged, archived byte for byte, removed from inbound', async () => {
    const bytes = 'id,note\r\n1,"a+b=c&d"\r\n2,ü\r\n';
    const keys = ['acme/orders/2026/a+b.csv', 'acme/orders/x=1&y=2.csv', 'acme/orders/plain name.csv'];
    const events = [];
    for (const key of keys) events.push(await bed.fx.upload(key, bytes));

    const response = await bed.fx.deliver(...events);

    expect(response.batchItemFailures).toEqual([]);
    expect(await bed.server.list(BUCKETS.inbound)).toEqual([]);
    const archived = await bed.server.list(BUCKETS.archive);
    expect(archived).toHaveLength(3);
    for (const key of archived) expect((await bed.server.get(BUCKETS.archive, key))!.toString('utf8')).toBe(bytes);
    for (const key of keys) expect(archived.some((a) => a.endsWith(key.split('/').slice(2).join('/')))).toBe(true);
    const lines = await bed.fx.stageLines();
    expect(lines.map((l) => `${l.source_key}#${l.source_row}`).sort()).toEqual(
      keys.flatMap((k) => [`${k}#1`, `${k}#2`]).sort(),
    );
    expect(lines.find((l) => l.source_row === 1)!.record).toEqual({ id: '1', note: 'a+b=c&d' });
  });

  test('GIVEN the key was overwritten before its event was processed (If-Match ignored) WHEN the old event arrives THEN superseded by the served eTag: nothing staged, the newer object untouched', async () => {
    const oldEvent = await bed.fx.upload('acme/orders/o.csv', 'id\n1\n');
    await bed.server.put(BUCKETS.inbound, 'acme/orders/o.csv', 'id\n2\n');

    const response = await bed.fx.deliver(oldEvent);

    expect(response.batchItemFailures).toEqual([]);
    expect(await bed.fx.stageLines()).toEqual([]);
    expect(await bed.server.list(BUCKETS.archive)).toEqual([]);
    expect((await bed.server.get(BUCKETS.inbound, 'acme/orders/o.csv'))!.toString('utf8')).toBe('id\n2\n');
  });
});
