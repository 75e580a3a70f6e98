/**
 * Loads the pipeline config the sandbox runs (the same module `cdk synth` validates), resolves one
 * environment, and derives the settings the deployed pipeline would use: the parser's batch size,
 * timeout, visibility timeout and redrive, and the Snowflake schema names.
 */
import { DEFAULT_INGESTION, VISIBILITY_TIMEOUT_FACTOR } from '../../contracts/defaults';
import { resolveEnvironment } from '../../contracts/config';
import { readPipelineConfig } from '../../lib/config-file';
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

/** Reads and validates the config file as `cdk synth` does (errors name the file), and resolves one environment. */
export function loadSandboxPipeline(configPath: string, environment?: string): SandboxPipeline {
  const config = readPipelineConfig(configPath);
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
