import { effectiveLimits } from '../../contracts/config';
import type { DatasetSpec } from '../../contracts/config';
import { CsvParser } from './csv-parser';
import { JsonParser, NdjsonParser } from './json-parsers';
import { canonicalJson } from './json-text';
import type { RecordSink } from './record-sink';
import type { NestedKeys } from './schema-drift';

/** A concrete input format (`auto` resolved). */
export type InputFormat = 'csv' | 'tsv' | 'json' | 'ndjson';

/** A push parser over decoded text. */
export interface TextParser {
  push(text: string): void;
  /** NDJSON, CSV, TSV: the same as `push(bytes.toString('utf8'))` for validated UTF-8 ending on a character boundary. */
  pushBytes?(bytes: Buffer): void;
  end(): void;
  /** CSV/TSV: the field names (header, or `columns` without one) once known; schema drift reads them. */
  readonly fieldNames?: readonly string[];
}

/** Text needed to sniff a CSV/TSV header line before deciding anyway. */
const SNIFF_LINE_CHARS = 64 * 1024;
/** Text needed to sniff NDJSON's first line before deciding anyway (a long first line means JSON). */
const SNIFF_JSON_CHARS = 1024 * 1024;

/**
 * The format of a file of `dataset`: its configured `format`, or for `auto`, sniffed from the
 * content (never the extension). Returns undefined while `sample` is too short to decide and more
 * text may follow (`final` false).
 *
 * `auto`: first non-whitespace `[` → JSON array; `{` → NDJSON when the first line is a complete
 * JSON value on its own, else JSON (one pretty-printed object); anything else → TSV when the first
 * line holds more tabs than the CSV delimiter, else CSV.
 */
export function resolveFormat(dataset: DatasetSpec, sample: string, final: boolean): InputFormat | undefined {
  if (dataset.format !== 'auto') return dataset.format;
  const startMatch = /\S/.exec(sample);
  if (startMatch === null) return final ? 'csv' : undefined;
  const start = startMatch.index;
  const first = sample[start];
  const nl = sample.indexOf('\n', start);
  if (first === '[') return 'json';
  if (first === '{') {
    if (nl < 0 && !final && sample.length - start < SNIFF_JSON_CHARS) return undefined;
    if (nl < 0) return final && canonicalJson(sample.slice(start), 1000).ok ? 'ndjson' : 'json';
    return canonicalJson(sample.slice(start, nl), 1000).ok ? 'ndjson' : 'json';
  }
  if (nl < 0 && !final && sample.length < SNIFF_LINE_CHARS) return undefined;
  const line = nl < 0 ? sample : sample.slice(0, nl);
  const delimiter = dataset.csv?.delimiter ?? ',';
  const count = (ch: string) => line.split(ch).length - 1;
  return delimiter !== '\t' && count('\t') > count(delimiter) ? 'tsv' : 'csv';
}

/**
 * The parser for `format`, with the dataset's options and limits. `keys`, when given, receives the
 * top-level property names of JSON/NDJSON records and `nested` the names along nested column paths
 * (schema drift; CSV exposes `fieldNames` instead: headers are flat).
 */
export function createParser(
  format: InputFormat,
  dataset: DatasetSpec,
  sink: RecordSink,
  keys?: Set<string>,
  nested?: NestedKeys,
): TextParser {
  const limits = effectiveLimits(dataset);
  const columns = dataset.columns.map((c) => c.name);
  switch (format) {
    case 'csv':
      return new CsvParser(
        {
          delimiter: dataset.csv?.delimiter ?? ',',
          quote: dataset.csv?.quote ?? '"',
          header: dataset.csv?.header ?? true,
          columns,
          maxRecordBytes: limits.maxRecordBytes,
        },
        sink,
      );
    case 'tsv':
      return new CsvParser(
        {
          delimiter: dataset.format === 'tsv' ? (dataset.csv?.delimiter ?? '\t') : '\t',
          quote: undefined,
          header: dataset.csv?.header ?? true,
          columns,
          maxRecordBytes: limits.maxRecordBytes,
        },
        sink,
      );
    case 'json':
      return new JsonParser({ ...limits, keys, nested }, sink);
    case 'ndjson':
      return new NdjsonParser({ ...limits, keys, nested }, sink);
  }
}
