/** The test server's pipe COPY check fails where Snowflake fails (it must never be more lenient). */
import { checkPipeCopy } from './support/copy-statement';

const catalog = {
  tables: new Map([['DB.OPS.T', { columns: [{ name: 'A' }, { name: 'B' }] }]]),
  stages: new Map([['DB.RAW.S', {}]]),
  fileFormats: new Map([['DB.RAW.F', {}]]),
};
const copy = (cols: string, items: string, options = `FILE_FORMAT = (FORMAT_NAME = 'DB.RAW.F')`) =>
  `COPY INTO "DB"."OPS"."T" (${cols}) FROM (SELECT ${items} FROM @"DB"."RAW"."S"/manifests/) ${options}`;

describe('test server: pipe COPY check', () => {
  test('GIVEN a valid transformation THEN table, stage and path are returned', () => {
    expect(checkPipeCopy(copy('"A", "B"', '$1:x::NUMBER(38,0), METADATA$FILENAME'), catalog)).toEqual({
      table: 'DB.OPS.T',
      stage: 'DB.RAW.S',
      path: 'manifests/',
    });
  });
  test.each([
    ['a column the table lacks', copy('"A", "C"', '$1, $1'), /invalid identifier 'C'/],
    ['fewer SELECT items than columns', copy('"A", "B"', '$1'), /expecting 2 but got 1/],
    ['a function Snowpipe should not use', copy('"A", "B"', '$1, CURRENT_TIMESTAMP()'), /not supported for pipes/],
    [
      'a WHERE filter',
      copy('"A", "B"', '$1, $1').replace('/manifests/)', '/manifests/ WHERE $1 IS NOT NULL)'),
      /WHERE is not supported/,
    ],
    [
      'a missing file format',
      copy('"A", "B"', '$1, $1', `FILE_FORMAT = (FORMAT_NAME = 'DB.RAW.NOPE')`),
      /DB\.RAW\.NOPE' does not exist/,
    ],
    [
      'MATCH_BY_COLUMN_NAME with a transformation',
      copy('"A", "B"', '$1, $1', `FILE_FORMAT = (FORMAT_NAME = 'DB.RAW.F') MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE`),
      /match_by_column_name is not supported with copy transform/,
    ],
    [
      'PURGE in a pipe',
      copy('"A", "B"', '$1, $1', `FILE_FORMAT = (FORMAT_NAME = 'DB.RAW.F') PURGE = TRUE`),
      /PURGE is not supported for pipes/,
    ],
  ])('GIVEN %s WHEN checked THEN it fails like Snowflake', (_what, sql, message) => {
    expect(() => checkPipeCopy(sql, catalog)).toThrow(message);
  });
});
