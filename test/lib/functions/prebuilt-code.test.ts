import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { HANDLER_FOLDERS, prebuiltHandlerDir } from '../../../lib/functions/handler-bundles';
import { bundledGlobalsContent, PrebuiltCodeError } from '../../../lib/functions/prebuilt-code';

describe('pre-built handler bundles', () => {
  test('GIVEN every function folder under lambda/ WHEN the package is built THEN each one is in HANDLER_FOLDERS (so it is pre-built)', () => {
    const lambdaDir = join(__dirname, '..', '..', '..', 'lambda');
    const folders = readdirSync(lambdaDir).filter((f) => existsSync(join(lambdaDir, f, 'index.ts')));
    expect(Object.keys(HANDLER_FOLDERS).sort()).toEqual(folders.sort());
  });

  test('GIVEN a handlers root with a bundle for one folder WHEN looked up THEN only that folder has a pre-built bundle', () => {
    const root = mkdtempSync(join(tmpdir(), 'handlers-'));
    mkdirSync(join(root, 'parser'));
    writeFileSync(join(root, 'parser', 'index.js'), 'exports.handler = async () => ({});');
    mkdirSync(join(root, 'health-monitor'));
    expect(prebuiltHandlerDir('parser', root)).toBe(join(root, 'parser'));
    expect(prebuiltHandlerDir('health-monitor', root)).toBeUndefined();
    expect(prebuiltHandlerDir('pipe-refresher', root)).toBeUndefined();
  });

  test('GIVEN the repository sources (no handlers/ folder two levels above lib/functions) WHEN a handler is looked up by default THEN there is none: constructs bundle from source', () => {
    expect(prebuiltHandlerDir('parser')).toBeUndefined();
  });

  test('GIVEN esbuild define values WHEN written for a pre-built bundle THEN each global holds the string the define expression denotes', () => {
    const datasets = JSON.stringify([{ name: 'orders' }]);
    const content = bundledGlobalsContent({ __PIPELINE_DATASETS__: JSON.stringify(datasets) });
    expect(JSON.parse(content)).toEqual({ __PIPELINE_DATASETS__: datasets });
  });

  test('GIVEN a define value that is not a JSON string literal WHEN written THEN the error names the global and the value', () => {
    expect(() => bundledGlobalsContent({ __X__: 'process.env.X' })).toThrow(PrebuiltCodeError);
    expect(() => bundledGlobalsContent({ __X__: '42' })).toThrow('define __X__: must be a JSON string literal, got 42');
  });
});
