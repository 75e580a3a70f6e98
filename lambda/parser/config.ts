import { ConfigError, parseDatasets, SOURCE_NAME_PATTERN } from '../../lib/config';
import type { DatasetSpec } from '../../lib/config';
import { PARSER_ENV } from '../shared/constants';
import { ParserConfigError } from './errors';

/** Everything the parser needs, read once at init. */
export interface ParserConfig {
  readonly inboundBucket: string;
  readonly stageBucket: string;
  readonly archiveBucket: string;
  /** @default stageBucket */
  readonly quarantineBucket: string;
  readonly datasets: ReadonlyMap<string, DatasetSpec>;
  /** Known source names; undefined → any name matching SOURCE_NAME_PATTERN. */
  readonly sources?: ReadonlySet<string>;
  /** gzip level of stage objects. @default 6 */
  readonly gzipLevel: number;
}

export const DEFAULT_GZIP_LEVEL = 6;

/** Values esbuild `define`s in the deployed bundle (see BUNDLED_DATASETS_GLOBAL); undefined elsewhere. */
export interface BundledConfig {
  readonly datasets?: string;
  readonly sources?: string;
}

function bundledConfig(): BundledConfig {
  return {
    datasets: typeof __PIPELINE_DATASETS__ === 'undefined' ? undefined : __PIPELINE_DATASETS__,
    sources: typeof __PIPELINE_SOURCES__ === 'undefined' ? undefined : __PIPELINE_SOURCES__,
  };
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ParserConfigError(`${name} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Reads and validates the parser environment (fails fast with one clear message).
 * `DATASETS` always wins over the bundled datasets; `SOURCES` likewise.
 */
export function loadParserConfig(
  env: NodeJS.ProcessEnv = process.env,
  bundled: BundledConfig = bundledConfig(),
): ParserConfig {
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value.trim() === '') {
      throw new ParserConfigError(`environment variable ${name} is required`);
    }
    return value.trim();
  };
  const inboundBucket = required(PARSER_ENV.inboundBucket);
  const stageBucket = required(PARSER_ENV.stageBucket);
  const archiveBucket = required(PARSER_ENV.archiveBucket);
  const quarantineBucket = env[PARSER_ENV.quarantineBucket]?.trim() || stageBucket;

  const datasetsText = env[PARSER_ENV.datasets] || bundled.datasets;
  if (datasetsText === undefined) {
    throw new ParserConfigError(`environment variable ${PARSER_ENV.datasets} is required (no bundled datasets)`);
  }
  let datasets: DatasetSpec[];
  try {
    datasets = parseDatasets(parseJson(datasetsText, PARSER_ENV.datasets), PARSER_ENV.datasets);
  } catch (err) {
    if (err instanceof ConfigError) throw new ParserConfigError(err.message, { cause: err });
    throw err;
  }

  const sourcesText = env[PARSER_ENV.sources] || bundled.sources;
  let sources: Set<string> | undefined;
  if (sourcesText !== undefined) {
    const list = parseJson(sourcesText, PARSER_ENV.sources);
    if (!Array.isArray(list) || list.some((s) => typeof s !== 'string' || !SOURCE_NAME_PATTERN.test(s))) {
      throw new ParserConfigError(
        `${PARSER_ENV.sources} must be a JSON array of source names matching ${SOURCE_NAME_PATTERN.source}`,
      );
    }
    sources = new Set(list as string[]);
  }

  const levelText = env[PARSER_ENV.gzipLevel]?.trim();
  const gzipLevel = levelText ? Number(levelText) : DEFAULT_GZIP_LEVEL;
  if (!Number.isInteger(gzipLevel) || gzipLevel < 1 || gzipLevel > 9) {
    throw new ParserConfigError(
      `${PARSER_ENV.gzipLevel} must be an integer from 1 to 9, got ${JSON.stringify(levelText)}`,
    );
  }

  return {
    inboundBucket,
    stageBucket,
    archiveBucket,
    quarantineBucket,
    datasets: new Map(datasets.map((d) => [d.name, d])),
    sources,
    gzipLevel,
  };
}
