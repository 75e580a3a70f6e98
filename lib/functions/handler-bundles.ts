/**
 * How every handler is bundled, in one place: PipelineFunction bundles from source at synth with these
 * settings (in this repository), and bin/build-handlers.ts pre-builds the same bundles at package build
 * time (`npm run build`, run by `npm pack`) into `dist/handlers/<folder>/`, which the packaged constructs
 * deploy as they are (a CDK app using the package needs neither esbuild nor this repository's sources).
 */
import * as fs from 'fs';
import * as path from 'path';

/**
 * esbuild aliases for functions that bundle snowflake-sdk: the driver needs time-zone rules, not
 * moment-timezone's full history (0.7 MB minified). The 1970–2030 data build keeps every offset the
 * pipeline's metadata timestamps can carry and brings the provisioner bundle under 4 MB.
 */
export const SNOWFLAKE_DRIVER_ALIASES: Readonly<Record<string, string>> = {
  'moment-timezone': 'moment-timezone/builds/moment-timezone-with-data-1970-2030.min.js',
};

/** esbuild settings shared by every handler bundle (CommonJS for Node.js, minified, linked source map). */
export const HANDLER_BUNDLE_SETTINGS = {
  /** Matches the functions' runtime (Node.js 24). */
  target: 'node24',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
} as const;

/** The handler folders under `lambda/` (each an `index.ts` exporting `handler`) and their esbuild aliases. */
export const HANDLER_FOLDERS: Readonly<Record<string, { readonly aliases?: Readonly<Record<string, string>> }>> = {
  parser: {},
  'snowflake-provisioner': { aliases: SNOWFLAKE_DRIVER_ALIASES },
  'health-monitor': { aliases: SNOWFLAKE_DRIVER_ALIASES },
  'pipe-refresher': { aliases: SNOWFLAKE_DRIVER_ALIASES },
};

/** Name of the bundle file in a handler's directory. */
export const HANDLER_BUNDLE_FILE = 'index.js';

/**
 * Where pre-built bundles live relative to this module: `dist/handlers/` in the package (this file is
 * `dist/lib/functions/handler-bundles.js`); `<repo>/handlers/`, which does not exist, when run from source.
 */
export const PREBUILT_HANDLERS_DIR = path.join(__dirname, '..', '..', 'handlers');

/** The pre-built bundle directory of `folder`, or undefined when there is none (bundle from source). */
export function prebuiltHandlerDir(folder: string, root: string = PREBUILT_HANDLERS_DIR): string | undefined {
  const dir = path.join(root, folder);
  return fs.existsSync(path.join(dir, HANDLER_BUNDLE_FILE)) ? dir : undefined;
}
