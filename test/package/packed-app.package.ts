/**
 * The packed library in a fresh CDK app: `npm pack` (its `prepack` builds `dist/`: compiled JS, type
 * declarations, pre-built handler bundles, the self-contained uploader), then `npm install` of that tarball in
 * an empty app folder beside the app's own `aws-cdk-lib`, `constructs` and `cdk-nag` (the peer dependencies and
 * what the app itself uses). npm resolves the package's declared dependencies (from its cache when it can), so
 * this proves the manifest: no esbuild, no TypeScript, no AWS SDK, no Snowflake driver, none of this repository's
 * sources. A plain-JS app then synthesizes the pipeline with cdk-nag as a validation plugin and runs the
 * AwsSolutions pack over the synthesized template, and the installed `s3-uploader` runs.
 *
 * Opt-in (one to two minutes, most of it the package build and the install): `npm run test:package`.
 */
import { execFileSync, spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { minimalPipelineProps } from '../lib/pipeline-props';

const ROOT = join(__dirname, '..', '..');
const MANIFEST = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
/** The app's own dependencies: the library's peers and cdk-nag (app.js uses it), at this repository's versions. */
const APP_DEPENDENCIES = {
  'aws-cdk-lib': MANIFEST.devDependencies['aws-cdk-lib']!,
  constructs: MANIFEST.devDependencies.constructs!,
  'cdk-nag': MANIFEST.dependencies['cdk-nag']!,
};
/** Packages that only build, test or run inside the Lambda bundles: a consumer must not install them. */
const BUILD_ONLY = [
  'esbuild',
  'typescript',
  'tsx',
  'snowflake-sdk',
  '@aws-sdk/client-s3',
  '@aws-lambda-powertools/logger',
];

/** The README's minimal use (plain JSON: `removalPolicy` is the string `destroy`). */
const PROPS = minimalPipelineProps();

const APP = `
const path = require('path');
const { App, Stack, Validations } = require('aws-cdk-lib');
const { AwsSolutionsChecks } = require('cdk-nag');
const { S3SnowflakePipeline, checkTemplate } = require('s3-snowflake-pipeline');

const app = new App({ outdir: path.join(__dirname, 'cdk.out') });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const stack = new Stack(app, 'Shop', { env: { account: '111111111111', region: 'eu-west-1' } });
new S3SnowflakePipeline(stack, 'Orders', ${JSON.stringify(PROPS)});
const assembly = app.synth();
const templateFile = path.join(assembly.directory, stack.templateFile);
console.log(JSON.stringify({ templateFile, findings: checkTemplate(templateFile) }));
`;

interface AppOutput {
  readonly templateFile: string;
  readonly findings: readonly { rule: string; logicalId: string }[];
}

interface FunctionResource {
  readonly Type: string;
  readonly Properties: {
    Handler?: string;
    Code?: { S3Key?: string };
    Environment?: { Variables?: Record<string, unknown> };
  };
}

describe('the packed library in a fresh CDK app', () => {
  let work: string;
  let appDir: string;
  let tarball: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'packed-app-'));
    // `prepack` builds dist/ first; the tarball goes into `work` (npm's output is shown only if it fails).
    execFileSync('npm', ['pack', '--pack-destination', work], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const [name] = readdirSync(work).filter((f) => f.endsWith('.tgz'));
    tarball = join(work, name!);
    appDir = join(work, 'app');
    mkdirSync(appDir);
    writeFileSync(
      join(appDir, 'package.json'),
      JSON.stringify({
        name: 'shop-app',
        private: true,
        dependencies: { ...APP_DEPENDENCIES, 's3-snowflake-pipeline': `file:${tarball}` },
      }),
    );
    writeFileSync(join(appDir, 'app.js'), APP);
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
      cwd: appDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('GIVEN the tarball WHEN listed THEN it holds compiled JS, declarations and the four handler bundles, and no TypeScript source', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
    expect(files).toEqual(expect.arrayContaining(['package/dist/lib/index.js', 'package/dist/lib/index.d.ts']));
    for (const folder of ['parser', 'snowflake-provisioner', 'health-monitor', 'pipe-refresher']) {
      expect(files).toContain(`package/dist/handlers/${folder}/index.js`);
    }
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    const manifest = JSON.parse(
      readFileSync(join(appDir, 'node_modules', 's3-snowflake-pipeline', 'package.json'), 'utf8'),
    );
    expect(manifest.private).toBeUndefined();
    expect(manifest.main).toBe('dist/lib/index.js');
  });

  test("GIVEN a plain JS app using S3SnowflakePipeline WHEN synthesized with cdk-nag THEN it succeeds, the template has no unacknowledged finding and the parser ships the app's datasets", () => {
    const out = execFileSync(process.execPath, ['app.js'], {
      cwd: appDir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? work },
    });
    const result = JSON.parse(out.trim().split('\n').pop()!) as AppOutput;
    expect(result.findings).toEqual([]);

    const template = JSON.parse(readFileSync(result.templateFile, 'utf8')) as {
      Resources: Record<string, FunctionResource>;
    };
    const functions = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Handler === 'index.handler',
    );
    const parser = functions.find((f) => f.Properties.Environment?.Variables?.INBOUND_BUCKET !== undefined);
    expect(parser).toBeDefined();
    // The function's S3 key is `<asset hash>.zip`; the staged asset is `cdk.out/asset.<hash>/`.
    const assetDir = join(appDir, 'cdk.out', `asset.${parser!.Properties.Code!.S3Key!.replace(/\.zip$/, '')}`);
    expect(readdirSync(assetDir).sort()).toEqual(['bundled-globals.json', 'index.js', 'index.js.map']);
    const globals = JSON.parse(readFileSync(join(assetDir, 'bundled-globals.json'), 'utf8')) as Record<string, string>;
    expect(JSON.parse(globals.__PIPELINE_DATASETS__!)).toEqual(PROPS.datasets);

    // The pre-built parser starts (its config is read at init) from the asset alone: no DATASETS variable.
    const started = execFileSync(
      process.execPath,
      ['-e', `const m = require(${JSON.stringify(join(assetDir, 'index.js'))}); console.log(typeof m.handler);`],
      {
        cwd: assetDir,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH ?? '',
          INBOUND_BUCKET: 'in',
          STAGE_BUCKET: 'stage',
          ARCHIVE_BUCKET: 'archive',
          AWS_REGION: 'eu-west-1',
          // Lambda runs Node.js 24; on an older test host the SDK would warn once at client creation.
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      },
    );
    expect(started.trim().split('\n').pop()).toBe('function');
  });

  test('GIVEN the installed app WHEN its node_modules are listed THEN npm installed the peers and the declared dependencies, and no build- or Lambda-only package', () => {
    const modules = join(appDir, 'node_modules');
    for (const name of [...Object.keys(MANIFEST.peerDependencies), ...Object.keys(MANIFEST.dependencies)]) {
      expect(existsSync(join(modules, name, 'package.json'))).toBe(true);
    }
    expect(BUILD_ONLY.filter((name) => existsSync(join(modules, name)))).toEqual([]);
  });

  test("GIVEN the README's TypeScript example in the app WHEN type-checked strictly (library checks on) THEN neither it nor the package's declarations has an error", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Use the construct in your own CDK app'));
    const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example).toContain('new S3SnowflakePipeline(');
    writeFileSync(join(appDir, 'readme-app.ts'), example!);
    writeFileSync(
      join(appDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: 'ES2022',
          module: 'commonjs',
          moduleResolution: 'node',
          esModuleInterop: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ['readme-app.ts'],
      }),
    );
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], {
      cwd: appDir,
      encoding: 'utf8',
    });
    expect(tsc.error).toBeUndefined();
    // Other packages' declarations may not check without @types/node; ours and the example must.
    const ours = tsc.stdout
      .split('\n')
      .filter((line) => line.startsWith('readme-app.ts') || line.startsWith('node_modules/s3-snowflake-pipeline/'));
    expect(ours).toEqual([]);
  });

  test('GIVEN the installed app WHEN its s3-uploader bin runs --help THEN the self-contained uploader bundle prints its usage', () => {
    const help = execFileSync(join(appDir, 'node_modules', '.bin', 's3-uploader'), ['--help'], {
      cwd: appDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? work },
    });
    expect(help).toMatch(/^Usage: s3-uploader <command>/);
    expect(help).toContain('watch');
  });
});
