/**
 * Reads the project configuration file. No aws-cdk-lib imports: the CLIs (replay, plan, sandbox)
 * use this without loading the CDK.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, loadConfig, type PipelineConfig } from '../contracts/config';

/** The example configuration shipped with the project. */
export const DEFAULT_CONFIG_PATH = path.join(__dirname, '..', 'config', 'pipeline.ts');

/**
 * Loads and validates the project configuration from a `.ts`, `.js` or `.json` module (its default
 * export, else an export named `config`, else the module itself). Throws {@link ConfigError} naming the file
 * when it cannot be loaded, and each invalid field as `path: rule`.
 */
export function readPipelineConfig(file: string = DEFAULT_CONFIG_PATH): PipelineConfig {
  const resolved = path.resolve(file);
  if (!/\.(ts|js|cjs|json)$/.test(resolved)) {
    throw new ConfigError([`${resolved}: must be a .ts, .js, .cjs or .json file`], 'config file');
  }
  if (!fs.existsSync(resolved)) throw new ConfigError([`${resolved}: no such file`], 'config file');
  let loaded: unknown;
  let text = '';
  try {
    if (resolved.endsWith('.json')) {
      text = fs.readFileSync(resolved, 'utf8');
      loaded = JSON.parse(text);
    } else {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the config path is chosen at run time
      loaded = require(resolved);
    }
  } catch (cause) {
    // One line: the loader's own message, without Node's "Require stack" list.
    let reason = ((cause as Error).message ?? String(cause)).split('\nRequire stack:')[0]!.split('\n')[0]!;
    // JSON.parse names a character offset; an editor wants the line and column.
    const offset = /at position (\d+)/.exec(reason)?.[1];
    if (text && offset !== undefined && !/\bline \d+/.test(reason)) {
      const before = text.slice(0, Number(offset)).split('\n');
      reason += `, line ${before.length} column ${before.at(-1)!.length + 1}`;
    }
    throw new ConfigError([`${resolved}: cannot load (${reason})`], 'config file', { cause });
  }
  const exports = loaded as { default?: unknown; config?: unknown } | null;
  const raw = exports?.default ?? exports?.config ?? loaded;
  try {
    const config = loadConfig(raw);
    // A relative SQL folder is the config file's, wherever the command runs.
    return config.sqlDirectory
      ? { ...config, sqlDirectory: path.resolve(path.dirname(resolved), config.sqlDirectory) }
      : config;
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new ConfigError(error.problems, `pipeline config ${resolved}`, { cause: error });
    }
    throw error;
  }
}
