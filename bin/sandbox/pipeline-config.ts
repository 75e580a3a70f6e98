/**
 * Loads the pipeline config the sandbox runs (the same module `cdk synth` validates), resolves one
 * environment, and derives the settings the deployed pipeline would use: the parser's batch size,
 * timeout, visibility timeout and redrive, and the Snowflake schema names.
 */
import { existsSync, readFileSync } from 'fs';
import { DEFAULT_INGESTION, VISIBILITY_TIMEOUT_FACTOR } from '../../contracts/defaults';
import { ConfigError, loadConfig, resolveEnvironment } from '../../contracts/config';
import type { ResolvedEnvironment } from '../../contracts/config';
import { schemaNames } from '../../snowflake/names';
import type { SchemaNames } from '../../snowflake/names';

export interface SandboxPipeline {
  readonly resolved: ResolvedEnvironment;
  readonly schemas: SchemaNames;
  readonly batchSize: number;
  readonly parserTimeoutSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
}

/** Reads a config module (its default export, or an export named `config`) or a JSON file. */
export function readConfigModule(path: string): unknown {
  if (!existsSync(path)) throw new ConfigError([`--config: no such file ${path}`], 'sandbox options');
  if (path.endsWith('.json')) return JSON.parse(readFileSync(path, 'utf8'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path) as { default?: unknown; config?: unknown };
  const raw = mod.default ?? mod.config;
  if (raw === undefined) {
    throw new ConfigError([`${path}: exports neither a default export nor \`config\``], 'sandbox options');
  }
  return raw;
}

export function loadSandboxPipeline(configPath: string, environment?: string): SandboxPipeline {
  const config = loadConfig(readConfigModule(configPath));
  const resolved = resolveEnvironment(config, environment ?? config.environments[0].name);
  const ingestion = resolved.environment.ingestion ?? {};
  const sf = resolved.environment.snowflake;
  const parserTimeoutSeconds = ingestion.parserTimeoutSeconds ?? DEFAULT_INGESTION.parserTimeoutSeconds;
  return {
    resolved,
    schemas: schemaNames(sf.database, { raw: sf.rawSchema, core: sf.coreSchema, gold: sf.goldSchema }),
    batchSize: ingestion.batchSize ?? DEFAULT_INGESTION.batchSize,
    parserTimeoutSeconds,
    visibilityTimeoutSeconds: parserTimeoutSeconds * VISIBILITY_TIMEOUT_FACTOR,
    maxReceiveCount: ingestion.maxReceiveCount ?? DEFAULT_INGESTION.maxReceiveCount,
  };
}
