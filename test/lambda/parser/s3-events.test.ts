import { decodeEventKey, InvalidMessageError, parseS3Message } from '../../../lambda/parser/s3-events';

/** The ObjectCreated:Put example of the Amazon S3 User Guide, "Event message structure" (event version 2.1). */
const documentedPut = () => ({
  eventVersion: '2.1',
  eventSource: 'aws:s3',
  awsRegion: 'us-west-2',
  eventTime: '1970-01-01T00:00:00.000Z',
  eventName: 'ObjectCreated:Put',
  userIdentity: { principalId: 'AIDAJDPLRKLG7UEXAMPLE' },
  requestParameters: { sourceIPAddress: '172.16.0.1' },
  responseElements: {
    'x-amz-request-id': 'C3D13FE58DE4C810',
    'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD',
  },
  s3: {
    s3SchemaVersion: '1.0',
    configurationId: 'testConfigRule',
    bucket: {
      name: 'amzn-s3-demo-bucket',
      ownerIdentity: { principalId: 'A3NL1KOZZKExample' },
      arn: 'arn:aws:s3:::amzn-s3-demo-bucket',
    },
    object: {
      key: 'HappyFace.jpg',
      size: 1024,
      eTag: 'd41d8cd98f00b204e9800998ecf8427e',
      versionId: '096fKKXTRTtl3on89fVO.nfljtsv6qko',
      sequencer: '0055AED6DCD90281E5',
    },
  },
});

/** The test message S3 sends when a notification configuration is saved (same page, "Example messages"). */
const documentedTestEvent = {
  Service: 'Amazon S3',
  Event: 's3:TestEvent',
  Time: '2014-10-13T15:57:02.089Z',
  Bucket: 'amzn-s3-demo-bucket',
  RequestId: '5582815E1AEA5ADF',
  HostId: '8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YoQ5/eenrwVTpOLjSPUK',
};

const body = (...records: unknown[]) => JSON.stringify({ Records: records });

/** The documented record with `object` merged into its `s3.object` and `record` into the record. */
function put(
  object: Record<string, unknown> = {},
  record: Record<string, unknown> = {},
): ReturnType<typeof documentedPut> {
  const r = documentedPut();
  return { ...r, ...record, s3: { ...r.s3, object: { ...r.s3.object, ...object } } };
}

/** The documented record without the field at `path` (e.g. ['s3', 'object', 'size']). */
function without(path: string[]): unknown {
  const r = JSON.parse(JSON.stringify(documentedPut())) as Record<string, unknown>;
  let node = r;
  for (const p of path.slice(0, -1)) node = node[p] as Record<string, unknown>;
  delete node[path.at(-1)!];
  return r;
}

function errorOf(message: string): Error {
  try {
    parseS3Message(message);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidMessageError);
    return e as Error;
  }
  throw new Error('expected an InvalidMessageError');
}

describe('S3 event keys', () => {
  test.each([
    ['a+b.csv', 'a b.csv'],
    ['a%2Bb.csv', 'a+b.csv'],
    ['src/ds/%C3%A9t%C3%A9+%E2%82%AC.csv', 'src/ds/été €.csv'],
    ['src/ds/100%25.csv', 'src/ds/100%.csv'],
  ])('GIVEN the event key %j WHEN decoded THEN %j', (encoded, decoded) => {
    expect(decodeEventKey(encoded)).toBe(decoded);
  });
});

describe('S3 event messages', () => {
  test('GIVEN the documented ObjectCreated:Put message WHEN parsed THEN the object version it names', () => {
    expect(parseS3Message(body(documentedPut()))).toEqual({
      objects: [
        {
          bucket: 'amzn-s3-demo-bucket',
          key: 'HappyFace.jpg',
          size: 1024,
          eTag: 'd41d8cd98f00b204e9800998ecf8427e',
          versionId: '096fKKXTRTtl3on89fVO.nfljtsv6qko',
          sequencer: '0055AED6DCD90281E5',
          receivedAt: '1970-01-01T00:00:00.000Z',
        },
      ],
      skipped: [],
    });
  });

  test('GIVEN an encoded key, a quoted eTag and a 1-digit fraction WHEN parsed THEN decoded key, bare eTag, ISO-ms time', () => {
    const record = put(
      { key: 'acme/orders/late+arrivals+%C3%BC%2B1.csv', eTag: '"abc"' },
      { eventTime: '2024-05-06T07:08:09.1Z' },
    );
    expect(parseS3Message(body(record)).objects[0]).toMatchObject({
      key: 'acme/orders/late arrivals ü+1.csv',
      eTag: 'abc',
      receivedAt: '2024-05-06T07:08:09.100Z',
    });
  });

  test('GIVEN the version id "null" (unversioned or versioning-suspended bucket) WHEN parsed THEN no version id', () => {
    expect(parseS3Message(body(put({ versionId: 'null' }))).objects[0].versionId).toBeUndefined();
    expect(parseS3Message(body(without(['s3', 'object', 'versionId']))).objects[0].versionId).toBeUndefined();
  });

  test('GIVEN fields the pipeline does not read in another shape (IPv6 client, no userIdentity) WHEN parsed THEN accepted', () => {
    const record = { ...put(), requestParameters: { sourceIPAddress: '2001:db8::1' } } as Record<string, unknown>;
    delete record.userIdentity;
    expect(parseS3Message(body(record)).objects).toHaveLength(1);
  });

  test('GIVEN the documented test event, a folder marker and a delete WHEN parsed THEN all are skipped with a reason', () => {
    expect(parseS3Message(JSON.stringify(documentedTestEvent))).toEqual({ objects: [], skipped: ['s3:TestEvent'] });
    const folder = put({ key: 'acme/orders/', size: 0 });
    // A delete record has neither size nor eTag.
    const removed = { ...documentedPut(), eventName: 'ObjectRemoved:Delete' };
    removed.s3.object = { key: 'acme/orders/x.csv', sequencer: '0055AED6DCD90281E6' } as typeof removed.s3.object;
    expect(parseS3Message(body(folder, removed))).toEqual({
      objects: [],
      skipped: ['folder marker acme/orders/', 'event ObjectRemoved:Delete'],
    });
  });

  test.each([
    [
      'no size',
      without(['s3', 'object', 'size']),
      'Records[0].s3.object.size: Invalid input: expected number',
      '(missing)',
    ],
    ['a string size', put({ size: '1024' }), 'Records[0].s3.object.size:', '(got "1024")'],
    ['a negative size', put({ size: -1 }), 'Records[0].s3.object.size: Too small', '(got -1)'],
    ['no eTag', without(['s3', 'object', 'eTag']), 'Records[0].s3.object.eTag:', '(missing)'],
    ['an empty eTag', put({ eTag: '' }), 'Records[0].s3.object.eTag: Too small', '(got "")'],
    ['no sequencer', without(['s3', 'object', 'sequencer']), 'Records[0].s3.object.sequencer:', '(missing)'],
    ['no key', without(['s3', 'object', 'key']), 'Records[0].s3.object.key:', '(missing)'],
    ['no bucket name', without(['s3', 'bucket', 'name']), 'Records[0].s3.bucket.name:', '(missing)'],
    ['no eventTime', without(['eventTime']), 'Records[0].eventTime:', '(missing)'],
    [
      'an eventTime not in UTC',
      put({}, { eventTime: '1970-01-01T01:00:00+01:00' }),
      'Records[0].eventTime: Invalid ISO datetime',
      '(got "1970-01-01T01:00:00+01:00")',
    ],
    [
      'an impossible eventTime',
      put({}, { eventTime: '2023-02-29T00:00:00.000Z' }),
      'Records[0].eventTime:',
      '(got "2023-02-29T00:00:00.000Z")',
    ],
    ['no eventName', without(['eventName']), 'Records[0].eventName:', '(missing)'],
  ])(
    'GIVEN a record with %s WHEN parsed THEN InvalidMessageError naming the field and the value',
    (_what, record, at, value) => {
      const message = errorOf(body(record)).message;
      expect(message).toContain(`not an S3 event notification: ${at}`);
      expect(message).toContain(value);
      expect(message).not.toContain('\n');
    },
  );

  test('GIVEN a good record then a bad one WHEN parsed THEN the error names the second record, and nothing is returned', () => {
    expect(errorOf(body(documentedPut(), put({ sequencer: 7 }))).message).toMatch(
      /^not an S3 event notification: Records\[1\]\.s3\.object\.sequencer: .* \(got 7\)$/,
    );
  });

  test.each([
    ['not JSON', 'not json', /^message body is not JSON \(got "not json"\)$/],
    ['without Records', '{"foo":1}', /^not an S3 event notification: Records: .*\(missing\)$/],
    ['with no record', '{"Records":[]}', /^not an S3 event notification: Records: Too small.*\(got \[\]\)$/],
    ['of another event', '{"Event":"s3:OtherEvent"}', /^not an S3 event notification: Records: .*\(missing\)$/],
    ['with a bad key encoding', body(put({ key: '%E0%A4%A' })), /object key "%E0%A4%A" is not valid URL encoding/],
  ])('GIVEN a body %s WHEN parsed THEN an InvalidMessageError saying what is wrong', (_what, text, message) => {
    expect(errorOf(text).message).toMatch(message);
  });
});
