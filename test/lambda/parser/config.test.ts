import { loadParserConfig } from '../../../lambda/parser/config';
import { ParserConfigError } from '../../../lambda/parser/errors';

const datasets = JSON.stringify([{ name: 'orders', format: 'csv', columns: [{ name: 'id', type: 'VARCHAR' }] }]);
const base = { INBOUND_BUCKET: 'in', STAGE_BUCKET: 'stage', ARCHIVE_BUCKET: 'archive', DATASETS: datasets };

describe('loadParserConfig', () => {
  test('GIVEN the required variables WHEN loaded THEN defaults apply (quarantine = stage, gzip 6, any source)', () => {
    const config = loadParserConfig(base, {});
    expect(config).toMatchObject({
      inboundBucket: 'in',
      stageBucket: 'stage',
      archiveBucket: 'archive',
      quarantineBucket: 'stage',
      gzipLevel: 6,
    });
    expect([...config.datasets.keys()]).toEqual(['orders']);
    expect(config.sources).toBeUndefined();
  });

  test.each(['INBOUND_BUCKET', 'STAGE_BUCKET', 'ARCHIVE_BUCKET'])(
    'GIVEN no %s WHEN loaded THEN a clear error',
    (name) => {
      expect(() => loadParserConfig({ ...base, [name]: '' }, {})).toThrow(
        new ParserConfigError(`environment variable ${name} is required`),
      );
    },
  );

  test('GIVEN no DATASETS WHEN bundled datasets exist THEN they are used; WHEN neither THEN a clear error', () => {
    const { DATASETS: _unused, ...noDatasets } = base;
    expect([...loadParserConfig(noDatasets, { datasets }).datasets.keys()]).toEqual(['orders']);
    expect(() => loadParserConfig(noDatasets, {})).toThrow(/DATASETS is required \(no bundled datasets\)/);
  });

  test('GIVEN DATASETS and bundled datasets WHEN loaded THEN DATASETS wins', () => {
    const other = JSON.stringify([{ name: 'events', format: 'ndjson', columns: [{ name: 'id', type: 'VARCHAR' }] }]);
    expect([...loadParserConfig(base, { datasets: other }).datasets.keys()]).toEqual(['orders']);
  });

  test('GIVEN invalid DATASETS WHEN loaded THEN the error names the JSON problem or the field path', () => {
    expect(() => loadParserConfig({ ...base, DATASETS: '[{' }, {})).toThrow(/DATASETS is not valid JSON/);
    expect(() => loadParserConfig({ ...base, DATASETS: '[{"name":"Bad","format":"csv","columns":[]}]' }, {})).toThrow(
      /DATASETS\[0\]\(Bad\)\.name: must be lower case.* \(got "Bad"\)/,
    );
  });

  test('GIVEN SOURCES and GZIP_LEVEL WHEN valid THEN used; WHEN invalid THEN clear errors', () => {
    const config = loadParserConfig(
      { ...base, SOURCES: '["acme","b-2"]', GZIP_LEVEL: '1', QUARANTINE_BUCKET: 'q' },
      {},
    );
    expect([...config.sources!]).toEqual([
      ['acme', '*'],
      ['b-2', '*'],
    ]);
    expect(config).toMatchObject({ gzipLevel: 1, quarantineBucket: 'q' });
    expect(() => loadParserConfig({ ...base, SOURCES: '["Bad Name"]' }, {})).toThrow(/SOURCES must be a JSON array/);
    expect(() => loadParserConfig({ ...base, GZIP_LEVEL: '10' }, {})).toThrow(
      /GZIP_LEVEL must be an integer from 1 to 9, got "10"/,
    );
  });

  test('GIVEN SOURCES as an object of dataset allowlists WHEN loaded THEN each source keeps its datasets, "*" any', () => {
    const config = loadParserConfig({ ...base, SOURCES: '{"acme":["orders","events"],"beta":"*","gamma":[]}' }, {});
    expect(config.sources).toEqual(
      new Map<string, unknown>([
        ['acme', new Set(['orders', 'events'])],
        ['beta', '*'],
        ['gamma', new Set()],
      ]),
    );
  });

  test('GIVEN no SOURCES WHEN the bundle defines them THEN they are used; SOURCES set THEN it wins', () => {
    const bundled = { sources: '{"acme":["orders"]}' };
    expect(loadParserConfig(base, bundled).sources).toEqual(new Map([['acme', new Set(['orders'])]]));
    expect(loadParserConfig({ ...base, SOURCES: '["beta"]' }, bundled).sources).toEqual(new Map([['beta', '*']]));
  });

  test.each([
    ['"acme"', /SOURCES must be a JSON array of source names or an object/],
    ['null', /SOURCES must be a JSON array of source names or an object/],
    ['{"acme":"orders"}', /"acme" has "orders"/],
    ['{"acme":["Orders"]}', /dataset "Orders" of "acme" does not match/],
    ['{"Bad Name":"*"}', /source "Bad Name" does not match/],
    ['[1]', /source 1 does not match/],
  ])('GIVEN SOURCES %s WHEN loaded THEN init fails naming the problem', (value, message) => {
    expect(() => loadParserConfig({ ...base, SOURCES: value }, {})).toThrow(ParserConfigError);
    expect(() => loadParserConfig({ ...base, SOURCES: value }, {})).toThrow(message);
  });
});
