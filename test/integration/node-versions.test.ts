/** The supported Node.js versions are stated once per place and agree: engines, README, CI, the running Node. */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const version = (v: string) => v.split('.').map(Number) as [number, number, number?];
const atLeast = (v: string, min: string) => {
  const [a, b] = version(v);
  const [c, d] = version(min);
  return a > c || (a === c && b >= d);
};

describe('Node.js versions', () => {
  const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
  const minimum = /^>=(\d+\.\d+)$/.exec(engines)?.[1];

  test('GIVEN package.json engines WHEN the tests run THEN the running Node satisfies it', () => {
    expect(minimum).toBeDefined();
    expect(atLeast(process.versions.node, minimum!)).toBe(true);
  });

  test('GIVEN the README WHEN read THEN it states the same minimum and the Lambda runtime the functions use', () => {
    const readme = read('README.md');
    expect(readme).toContain(`Node.js ≥ ${minimum}`);
    expect(readme).toContain('`nodejs24.x`');
    expect(read('lib/functions/pipeline-function.ts')).toContain('lambda.Runtime.NODEJS_24_X');
  });

  test('GIVEN the GitHub workflow WHEN read THEN its Node version satisfies engines', () => {
    const ci = /node-version:\s*(\d+)/.exec(read('.github/workflows/pr-plan.yml'))?.[1];
    expect(ci).toBeDefined();
    expect(atLeast(`${ci}.99`, minimum!)).toBe(true);
  });
});
