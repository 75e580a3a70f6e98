/**
 * The test server's check of a pipe's COPY statement, as strict as Snowflake (or louder) on what the
 * provisioner emits: the target table and every listed column exist, a transformation has one SELECT
 * item per target column, each item is a staged-file column (`$n`, `$1:path`, `::TYPE`) or a METADATA$
 * column, no WHERE, the file format exists, MATCH_BY_COLUMN_NAME is not combined with a transformation,
 * and none of the copy options a pipe does not support (CREATE PIPE usage notes) is present.
 */
import { SqlFailure } from './sql-reader';

export interface CopyCatalog {
  readonly tables: ReadonlyMap<string, { readonly columns: readonly { readonly name: string }[] }>;
  readonly stages: ReadonlyMap<string, unknown>;
  readonly fileFormats: ReadonlyMap<string, unknown>;
}

const REF = '("[^"]+"\\."[^"]+"\\."[^"]+")';
const COPY = new RegExp(
  `^COPY INTO ${REF}\\s*(?:\\(([^)]*)\\))?\\s+FROM\\s+(?:\\(\\s*SELECT\\s+([\\s\\S]+?)\\s+FROM\\s+@${REF}/(\\S*?)(\\s+WHERE\\s[^)]*)?\\s*\\)|@${REF}/(\\S*))\\s*([\\s\\S]*)$`,
  'i',
);
/** What a COPY transformation item may be here (the forms Snowflake documents for pipes that the project uses). */
const ITEM =
  /^(\$[1-9]\d{0,2}(:[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)?(::[A-Z_]+(\(\d+(,\d+)?\))?)?|METADATA\$(FILENAME|FILE_ROW_NUMBER|FILE_CONTENT_KEY|FILE_LAST_MODIFIED|START_SCAN_TIME))$/;
/** Copy options CREATE PIPE does not support (ON_ERROR only as ABORT_STATEMENT). */
const NOT_IN_PIPES =
  /\b(FILES|SIZE_LIMIT|PURGE|FORCE|RETURN_FAILED_ONLY|VALIDATION_MODE|LOAD_UNCERTAIN_FILES)\s*=|\bON_ERROR\s*=\s*'?ABORT_STATEMENT/i;
const canonical = (quoted: string) => quoted.replace(/"/g, '');
const compilation = (message: string, code = '001003', sqlState = '42000') =>
  new SqlFailure(`SQL compilation error:\n${message}`, code, sqlState);
const notExists = (name: string) =>
  compilation(`Object '${name}' does not exist or not authorized.`, '002003', '02000');

/** Splits on commas outside parentheses. */
function topLevelItems(list: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of list) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      items.push(current.trim());
      current = '';
    } else current += ch;
  }
  items.push(current.trim());
  return items;
}

/** Throws the SqlFailure Snowflake would raise for `definition` (the text after `AS`), or returns the target table. */
export function checkPipeCopy(
  definition: string,
  catalog: CopyCatalog,
): { table: string; stage: string; path: string } {
  const m = COPY.exec(definition.trim());
  if (!m) throw compilation(`test server: unsupported COPY statement: ${definition}`);
  const [, target, columnList, select, selectStage, selectPath, where, plainStage, plainPath, options] = m;
  const table = canonical(target);
  const stage = canonical(selectStage ?? plainStage);
  const t = catalog.tables.get(table);
  if (!t) throw notExists(table);
  if (!catalog.stages.has(stage)) throw notExists(stage);
  const tableColumns = new Set(t.columns.map((c) => c.name.toUpperCase()));
  const columns = columnList === undefined ? [] : topLevelItems(columnList).map(canonical);
  const seen = new Set<string>();
  for (const c of columns) {
    if (!tableColumns.has(c)) throw compilation(`invalid identifier '${c}'`, '000904', '42000');
    if (seen.has(c)) throw compilation(`duplicate column name '${c}'`, '001408', '42701');
    seen.add(c);
  }
  if (select !== undefined) {
    if (where || /\bWHERE\b/i.test(select)) throw compilation('WHERE is not supported in a COPY transformation');
    const items = topLevelItems(select);
    const expected = columns.length || tableColumns.size;
    if (items.length !== expected)
      throw compilation(
        `Insert value list does not match column list expecting ${expected} but got ${items.length}`,
        '002020',
        '21S01',
      );
    const bad = items.find((i) => !ITEM.test(i));
    if (bad) throw compilation(`test server: COPY transformation item not supported for pipes: ${bad}`);
    if (/\bMATCH_BY_COLUMN_NAME\s*=\s*'?(CASE_SENSITIVE|CASE_INSENSITIVE)/i.test(options))
      throw compilation('match_by_column_name is not supported with copy transform');
  }
  const format = /FILE_FORMAT\s*=\s*\(\s*FORMAT_NAME\s*=\s*'([^']+)'\s*\)/i.exec(options);
  if (format && !catalog.fileFormats.has(format[1].toUpperCase())) throw notExists(format[1].toUpperCase());
  const unsupported = NOT_IN_PIPES.exec(options);
  if (unsupported) throw compilation(`copy option ${unsupported[0].split(/\s*=/)[0]} is not supported for pipes`);
  return { table, stage, path: selectPath ?? plainPath ?? '' };
}
