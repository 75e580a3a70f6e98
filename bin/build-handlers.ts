#!/usr/bin/env node
/**
 * `npm run build` (and `npm pack`, through `prepack`): pre-builds every handler bundle with the settings of
 * lib/functions/handler-bundles.ts into `<out>/<folder>/index.js` (+ `.map`), default `dist/handlers/`.
 * The packaged constructs deploy these bundles as they are (see PipelineFunction).
 * It also bundles the producer uploader (`s3-uploader`) into one self-contained `<out>/../bin/uploader.js`, so
 * the package needs no AWS SDK at run time and a producer host can run that one file with Node.js alone.
 *
 *   tsx bin/build-handlers.ts [--out <dir>]
 */
import { rmSync } from 'fs';
import { join, resolve } from 'path';
import { parseArgs } from 'util';
import { build } from 'esbuild';
import { lambdaEntry, PROJECT_ROOT } from '../lib/functions/pipeline-function';
import { HANDLER_BUNDLE_FILE, HANDLER_BUNDLE_SETTINGS, HANDLER_FOLDERS } from '../lib/functions/handler-bundles';

/** The uploader's bundle file name (bin/uploader.cjs, the npm `bin`, runs it in the package). */
export const UPLOADER_BUNDLE_FILE = 'uploader.js';

const USAGE = `Usage: tsx bin/build-handlers.ts [--out <dir>]

Pre-builds every Lambda handler (${Object.keys(HANDLER_FOLDERS).join(', ')}) into <dir>/<folder>/${HANDLER_BUNDLE_FILE},
and the producer uploader into <dir>/../bin/${UPLOADER_BUNDLE_FILE}.
  --out <dir>   handler output directory (default: dist/handlers)
  -h, --help    print this help and exit`;

/** Builds every handler into `outDir`; returns the bundle paths. */
export async function buildHandlers(outDir: string): Promise<string[]> {
  rmSync(outDir, { recursive: true, force: true });
  const built: string[] = [];
  for (const [folder, { aliases }] of Object.entries(HANDLER_FOLDERS)) {
    const outfile = join(outDir, folder, HANDLER_BUNDLE_FILE);
    await build({
      entryPoints: [lambdaEntry(folder)],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: HANDLER_BUNDLE_SETTINGS.target,
      minify: HANDLER_BUNDLE_SETTINGS.minify,
      sourcemap: HANDLER_BUNDLE_SETTINGS.sourceMap,
      sourcesContent: HANDLER_BUNDLE_SETTINGS.sourcesContent,
      alias: { ...aliases },
      outfile,
      logLevel: 'error',
    });
    built.push(outfile);
  }
  return built;
}

/**
 * Bundles bin/uploader.ts with its AWS SDK into one CommonJS file for Node.js ≥ 20 (producer hosts run the
 * tooling's Node.js, not Lambda's), minified with a linked source map so stack traces name the sources.
 */
export async function buildUploader(outfile: string): Promise<string> {
  await build({
    entryPoints: [join(PROJECT_ROOT, 'bin', 'uploader.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

async function main(argv: string[]): Promise<number> {
  let values: { out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    console.error(`build-handlers: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const outDir = resolve(values.out ?? join(PROJECT_ROOT, 'dist', 'handlers'));
  for (const file of await buildHandlers(outDir)) console.log(`built ${file}`);
  console.log(`built ${await buildUploader(join(outDir, '..', 'bin', UPLOADER_BUNDLE_FILE))}`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`build-handlers: ${(error as Error).message}`);
      process.exitCode = 1;
    },
  );
}
