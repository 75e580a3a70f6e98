import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { BUNDLED_DATASETS_GLOBAL, BUNDLED_GLOBALS_FILE, BUNDLED_SOURCES_GLOBAL } from '../../../contracts/constants';
import { bundledConfig } from '../../../lambda/parser/config';
import { readBundledGlobals } from '../../../lambda/shared/bundled-globals';

const dirWith = (content: string | undefined): string => {
  const dir = mkdtempSync(join(tmpdir(), 'bundled-globals-'));
  if (content !== undefined) writeFileSync(join(dir, BUNDLED_GLOBALS_FILE), content);
  return dir;
};

describe('bundled globals of a pre-built bundle', () => {
  test('GIVEN no bundled-globals file beside the bundle WHEN read THEN there are none', () => {
    expect(readBundledGlobals(dirWith(undefined))).toEqual({});
  });

  test('GIVEN the file the construct writes WHEN the parser reads its bundled config THEN datasets and sources come from it', () => {
    const datasets = JSON.stringify([{ name: 'orders', format: 'csv', columns: [] }]);
    const sources = JSON.stringify({ erp: ['orders'] });
    const dir = dirWith(JSON.stringify({ [BUNDLED_DATASETS_GLOBAL]: datasets, [BUNDLED_SOURCES_GLOBAL]: sources }));
    expect(bundledConfig(dir)).toEqual({ datasets, sources });
  });

  test('GIVEN a file that is not JSON or not an object of strings WHEN read THEN the error names the file and the fault', () => {
    const broken = dirWith('{"a":');
    expect(() => readBundledGlobals(broken)).toThrow(
      new RegExp(`${join(broken, BUNDLED_GLOBALS_FILE).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON`),
    );
    expect(() => readBundledGlobals(dirWith('[1]'))).toThrow(/must be a JSON object of strings, got \[1\]/);
    expect(() => readBundledGlobals(dirWith('{"__PIPELINE_DATASETS__":[]}'))).toThrow(
      /"__PIPELINE_DATASETS__" must be a string, got \[\]/,
    );
  });
});
