import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError } from '../../contracts/config';
import { DEFAULT_CONFIG_PATH, readPipelineConfig } from '../../lib/config-file';
import { cdkContext, rawExampleConfig } from './helpers';

const ROOT = path.join(__dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-app-'));

function writeConfig(name: string, config: unknown): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

/** Runs bin/app.ts the way `cdk synth` does (context from cdk.json, an output directory), without AWS credentials. */
function runApp(configPath: string, outdir: string) {
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'bin/app.ts'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        HOME: tmp,
        PIPELINE_CONFIG: configPath,
        CDK_OUTDIR: outdir,
        // No Lambda bundling: these tests read the template; the build script's test bundles every handler.
        CDK_CONTEXT_JSON: JSON.stringify({ ...cdkContext(), 'aws:cdk:bundling-stacks': [] }),
        // CDK's built-in CloudFormation checks cost ~6 s of CPU; pipeline-stage.test.ts runs them in-process.
        // cdk-nag still runs (it is a registered plugin, not the built-in one).
        CDK_VALIDATION: 'false',
      },
    },
  );
  return { status: result.status, stderr: result.stderr };
}

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('readPipelineConfig', () => {
  test('GIVEN no path WHEN read THEN the example config/pipeline.ts is loaded and validated', () => {
    expect(DEFAULT_CONFIG_PATH).toBe(path.join(ROOT, 'config', 'pipeline.ts'));
    expect(readPipelineConfig().project).toBe('ingest');
  });

  test('GIVEN a JSON config WHEN read THEN it is validated like the TypeScript one', () => {
    const file = writeConfig('valid.json', rawExampleConfig());
    expect(readPipelineConfig(file).environments).toHaveLength(2);
  });

  test('GIVEN an invalid JSON config WHEN read THEN the ConfigError names the file and each field', () => {
    const raw = rawExampleConfig();
    raw.datasets[2].name = 'Events';
    const file = writeConfig('invalid.json', raw);
    expect(() => readPipelineConfig(file)).toThrow(ConfigError);
    expect(() => readPipelineConfig(file)).toThrow(
      `Invalid pipeline config ${file}:\n  datasets[2](Events).name: must be lower case`,
    );
  });

  test('GIVEN a missing or unsupported file WHEN read THEN the ConfigError says why in one line', () => {
    const missing = path.join(tmp, 'missing.json');
    expect(() => readPipelineConfig(missing)).toThrow(`Invalid config file:\n  ${missing}: no such file`);
    expect(() => readPipelineConfig(path.join(tmp, 'missing.ts'))).toThrow(/missing\.ts: no such file$/);
    expect(() => readPipelineConfig(path.join(tmp, 'config.yaml'))).toThrow('must be a .ts, .js, .cjs or .json file');
  });
});

describe('readPipelineConfig on broken files', () => {
  test('GIVEN a JSON config with a syntax error WHEN read THEN the one-line error names the file and the problem', () => {
    const file = path.join(tmp, 'broken.json');
    fs.writeFileSync(file, '{ "project": "x", }');
    let message = '';
    try {
      readPipelineConfig(file);
    } catch (e) {
      message = (e as Error).message;
      expect((e as Error).cause).toBeInstanceOf(SyntaxError);
    }
    expect(message).toMatch(
      new RegExp(`^Invalid config file:\\n  ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot load \\(.+\\)$`),
    );
    expect(message).not.toContain('Require stack');
  });

  test('GIVEN a JSON syntax error on a later line WHEN read THEN the error gives its line and column', () => {
    const file = path.join(tmp, 'broken-line.json');
    // A trailing comma: the parser stops at the "}" on line 3, column 1 (Node 20 names only the offset).
    fs.writeFileSync(file, '{\n  "project": "x",\n}\n');
    expect(() => readPipelineConfig(file)).toThrow(/\bline 3 column 1\)$/);
  });
});

describe('bin/app.ts', () => {
  test('GIVEN PIPELINE_CONFIG with an invalid dataset name WHEN the app runs THEN synth fails with the path: rule message', () => {
    const raw = rawExampleConfig();
    raw.datasets[2].name = 'Events';
    const outdir = path.join(tmp, 'out-invalid');
    const { status, stderr } = runApp(writeConfig('app-invalid.json', raw), outdir);
    expect(status).toBe(1);
    expect(stderr).toContain('datasets[2](Events).name: must be lower case');
    expect(stderr).not.toContain('    at '); // a message, not a stack trace
    expect(fs.existsSync(path.join(outdir, 'manifest.json'))).toBe(false);
  });

  test('GIVEN PIPELINE_CONFIG with one environment WHEN the app runs without credentials THEN only its Stage is synthesized', () => {
    const raw = rawExampleConfig();
    raw.environments = [{ ...raw.environments[0], name: 'qa' }];
    const outdir = path.join(tmp, 'out-valid');
    const { status, stderr } = runApp(writeConfig('app-valid.json', raw), outdir);
    expect(stderr).not.toMatch(/error/i);
    expect(status).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string; properties?: { directoryName?: string } }>;
    };
    const stages = Object.values(manifest.artifacts)
      .filter((a) => a.type === 'cdk:cloud-assembly')
      .map((a) => a.properties?.directoryName);
    expect(stages).toEqual(['assembly-Qa']);
    const stageDir = path.join(outdir, 'assembly-Qa');
    const templates = fs.readdirSync(stageDir).filter((f) => f.endsWith('.template.json'));
    expect(templates).toHaveLength(1);
    const template = JSON.parse(fs.readFileSync(path.join(stageDir, templates[0]), 'utf8')) as {
      Outputs: Record<string, unknown>;
    };
    expect(Object.keys(template.Outputs)).toContain('UploadRoleArnAirbnb');
  });
});
