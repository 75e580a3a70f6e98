/**
 * Lambda code from a pre-built handler bundle (see handler-bundles.ts). Values that a bundle built from
 * source gets through esbuild `define` (the parser's datasets and sources) are written into the
 * bundled-globals file beside the bundle instead, which the handler reads at init.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BUNDLED_GLOBALS_FILE } from '../../contracts/constants';

/** A `define` value this module cannot turn into a plain string (only JSON string literals are supported). */
export class PrebuiltCodeError extends Error {
  override readonly name = 'PrebuiltCodeError';
}

/**
 * The bundled-globals file content for `define` (esbuild `define` values are JS expressions; each one
 * here must be a JSON string literal such as `"\"[…]\""`, which is what the constructs define).
 */
export function bundledGlobalsContent(define: Readonly<Record<string, string>>): string {
  const values: Record<string, string> = {};
  for (const [name, expression] of Object.entries(define)) {
    let value: unknown;
    try {
      value = JSON.parse(expression);
    } catch (err) {
      throw new PrebuiltCodeError(`define ${name}: must be a JSON string literal, got ${expression}`, { cause: err });
    }
    if (typeof value !== 'string') {
      throw new PrebuiltCodeError(`define ${name}: must be a JSON string literal, got ${expression}`);
    }
    values[name] = value;
  }
  return `${JSON.stringify(values)}\n`;
}

/**
 * The asset of the pre-built bundle in `dir`; with `define` values, a copy of the bundle plus the
 * bundled-globals file, made at synth by a local bundling step (no Docker; the image is never pulled).
 */
export function prebuiltCode(dir: string, define: Readonly<Record<string, string>> = {}): lambda.Code {
  if (Object.keys(define).length === 0) return lambda.Code.fromAsset(dir);
  const globals = bundledGlobalsContent(define);
  return lambda.Code.fromAsset(dir, {
    // Hash the output: two functions with different values must not share one asset.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/busybox'),
      local: {
        tryBundle(outputDir: string): boolean {
          for (const entry of fs.readdirSync(dir)) {
            if (entry !== BUNDLED_GLOBALS_FILE) fs.copyFileSync(path.join(dir, entry), path.join(outputDir, entry));
          }
          fs.writeFileSync(path.join(outputDir, BUNDLED_GLOBALS_FILE), globals);
          return true;
        },
      },
    },
  });
}
