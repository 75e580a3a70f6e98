import { ConfigError, IDENTIFIER_PATTERN, parseDatasets, SOURCE_NAME_PATTERN } from '../../contracts/config';
import type { DatasetSpec } from '../../contracts/config';
import { BUNDLED_DATASETS_GLOBAL, BUNDLED_SOURCES_GLOBAL, PARSER_ENV } from '../../contracts/constants';
import { readBundledGlobals } from '../shared/bundled-globals';
import { ParserConfigError } from './errors';

/** Everything the parser needs, read once at init. */
export interface ParserConfig {
  readonly inboundBucket: string;
  readonly stageBucket: string;
  readonly archiveBucket: string;
  /** @default stageBucket */
  readonly quarantineBucket: string;
  readonly datasets: ReadonlyMap<string, DatasetSpec>;
  /** Known sources and the datasets each may write; undefined → any name matching SOURCE_NAME_PATTERN, any dataset. */
  readonly sources?: SourceAllowlist;
  /** gzip level of stage objects. @default 6 */
  readonly gzipLevel: number;
}

export const DEFAULT_GZIP_LEVEL = 6;

/** `'*'` in a `SOURCES` object: the source may write every dataset. */
export const ANY_DATASET = '*';

/** Known source → the dataset names it may write, or ANY_DATASET. */
export type SourceAllowlist = ReadonlyMap<string, ReadonlySet<string> | typeof ANY_DATASET>;

/**
 * Values esbuild `define`s in a bundle built from source, or that a pre-built bundle reads from the
 * bundled-globals file beside it (see BUNDLED_DATASETS_GLOBAL); undefined elsewhere.
 */
export interface BundledConfig {
  readonly datasets?: string;
  readonly sources?: string;
}

/** The bundled datasets and sources: the esbuild-defined globals, else the bundled-globals file's entries. */
export function bundledConfig(fileDir?: string): BundledConfig {
  const defined: BundledConfig = {
    datasets: typeof __PIPELINE_DATASETS__ === 'undefined' ? undefined : __PIPELINE_DATASETS__,
    sources: typeof __PIPELINE_SOURCES__ === 'undefined' ? undefined : __PIPELINE_SOURCES__,
  };
  if (defined.datasets !== undefined) return defined;
  const file = readBundledGlobals(fileDir);
  return { datasets: file[BUNDLED_DATASETS_GLOBAL], sources: file[BUNDLED_SOURCES_GLOBAL] };
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
  const sources = sourcesText === undefined ? undefined : parseSources(parseJson(sourcesText, PARSER_ENV.sources));

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

const SOURCES_SHAPE =
  `${PARSER_ENV.sources} must be a JSON array of source names or an object ` +
  `{ "<source>": ["<dataset>", ...] | "${ANY_DATASET}" }`;

/**
 * `SOURCES`: a JSON array of source names (each may write any dataset), or an object mapping each
 * source to the datasets it may write (`"*"`: any). Names must match SOURCE_NAME_PATTERN and
 * IDENTIFIER_PATTERN; anything else fails init.
 */
export function parseSources(value: unknown): SourceAllowlist {
  const sourceName = (name: unknown): string => {
    if (typeof name !== 'string' || !SOURCE_NAME_PATTERN.test(name)) {
      throw new ParserConfigError(
        `${SOURCES_SHAPE}: source ${JSON.stringify(name)} does not match ${SOURCE_NAME_PATTERN.source}`,
      );
    }
    return name;
  };
  if (Array.isArray(value)) return new Map(value.map((name) => [sourceName(name), ANY_DATASET]));
  if (typeof value !== 'object' || value === null) throw new ParserConfigError(SOURCES_SHAPE);
  const allowlist = new Map<string, ReadonlySet<string> | typeof ANY_DATASET>();
  for (const [name, datasets] of Object.entries(value)) {
    if (datasets === ANY_DATASET) {
      allowlist.set(sourceName(name), ANY_DATASET);
      continue;
    }
    if (!Array.isArray(datasets)) {
      throw new ParserConfigError(`${SOURCES_SHAPE}: ${JSON.stringify(name)} has ${JSON.stringify(datasets)}`);
    }
    for (const d of datasets) {
      if (typeof d !== 'string' || !IDENTIFIER_PATTERN.test(d)) {
        throw new ParserConfigError(
          `${SOURCES_SHAPE}: dataset ${JSON.stringify(d)} of ${JSON.stringify(name)} does not match ${IDENTIFIER_PATTERN.source}`,
        );
      }
    }
    allowlist.set(sourceName(name), new Set(datasets as string[]));
  }
  return allowlist;
}
