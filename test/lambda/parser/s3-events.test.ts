import { decodeEventKey, InvalidMessageError, parseS3Message } from '../../../lambda/parser/s3-events';

const record = (key: string, extra: Record<string, unknown> = {}) => ({
  eventName: 'ObjectCreated:Put',
  eventTime: '2024-05-06T07:08:09.1Z',
  s3: { bucket: { name: 'in' }, object: { key, size: 10, eTag: '"abc"', sequencer: '00A1', ...extra } },
});

describe('S3 event messages', () => {
  test.each([
    ['a+b.csv', 'a b.csv'],
    ['a%2Bb.csv', 'a+b.csv'],
    ['src/ds/%C3%A9t%C3%A9+%E2%82%AC.csv', 'src/ds/été €.csv'],
    ['src/ds/100%25.csv', 'src/ds/100%.csv'],
  ])('GIVEN the event key %j WHEN decoded THEN %j', (encoded, decoded) => {
    expect(decodeEventKey(encoded)).toBe(decoded);
  });

  test('GIVEN a put record WHEN parsed THEN an object version with ISO-ms time and an unquoted eTag', () => {
    expect(parseS3Message(JSON.stringify({ Records: [record('s/d/a+b.csv', { versionId: 'v1' })] }))).toEqual({
      objects: [
        {
          bucket: 'in',
          key: 's/d/a b.csv',
          size: 10,
          eTag: 'abc',
          versionId: 'v1',
          sequencer: '00A1',
          receivedAt: '2024-05-06T07:08:09.100Z',
        },
      ],
      skipped: [],
    });
  });

  test('GIVEN the version id "null" (unversioned or versioning-suspended bucket) WHEN parsed THEN no version id', () => {
    const [object] = parseS3Message(JSON.stringify({ Records: [record('s/d/x', { versionId: 'null' })] })).objects;
    expect(object.versionId).toBeUndefined();
  });

  test('GIVEN a test event, a folder marker and a delete WHEN parsed THEN all are skipped with a reason', () => {
    expect(parseS3Message('{"Event":"s3:TestEvent","Service":"Amazon S3"}')).toEqual({
      objects: [],
      skipped: ['s3:TestEvent'],
    });
    const folder = record('s/d/', { size: 0 });
    const removed = { ...record('s/d/x'), eventName: 'ObjectRemoved:Delete' };
    expect(parseS3Message(JSON.stringify({ Records: [folder, removed] }))).toEqual({
      objects: [],
      skipped: ['folder marker s/d/', 'event ObjectRemoved:Delete'],
    });
  });

  test.each([
    ['not json', /not JSON/],
    ['{"foo":1}', /no S3 Records/],
    [JSON.stringify({ Records: [record('%E0%A4%A')] }), /not valid URL encoding/],
    [JSON.stringify({ Records: [{ ...record('a/b/c'), eventTime: 'nope' }] }), /invalid eventTime/],
  ])('GIVEN the body %j WHEN parsed THEN InvalidMessageError', (body, message) => {
    expect(() => parseS3Message(body)).toThrow(InvalidMessageError);
    expect(() => parseS3Message(body)).toThrow(message);
  });
});
