/**
 * Gold views: `snowflake/gold/<view_name>.sql`, one SELECT each. The body names silver tables as
 * `core.<dataset>` and other gold views as `gold.<view>`; these logical references are rewritten
 * to fully qualified names of the environment (so schema overrides and the database just work),
 * ordered so every view is created after the views it reads, and validated (unknown dataset or
 * view, cycle, not a single SELECT → a clear error naming the file).
 *
 * DuckDB (sandbox, tests): a view runs unchanged when it is portable; `<name>.duckdb.sql` next to
 * it gives a DuckDB translation; `-- duckdb: skip <reason>` or Snowflake-only syntax (FLATTEN,
 * `col:path` access, PARSE_JSON, IFF…) without a translation marks it skipped, with the reason.
 */
import { IDENTIFIER_PATTERN } from '../../contracts/config';
import { canonicalName, qualifiedName, quoteIdentifier, stringLiteral } from '../identifiers';
import type { ObjectPath, SchemaNames } from '../names';
import type { Dialect } from './dialect';
import { SqlFileError } from './errors';
import { topologicalOrder } from './graph';

export interface GoldViewSource {
  /** View name (lower snake case) = file name without `.sql`. */
  readonly name: string;
  readonly file: string;
  readonly sql: string;
  /** Body of `<name>.duckdb.sql`, when present. */
  readonly duckdbSql?: string;
}

export interface GoldView {
  readonly name: string;
  readonly file: string;
  readonly path: ObjectPath;
  /** Schemas the references resolve to. */
  readonly schemas: SchemaNames;
  /** Datasets (silver tables) read. */
  readonly datasets: readonly string[];
  /** Other gold views read (created before this one). */
  readonly views: readonly string[];
  /** Body with logical references, as written (trailing `;` removed). */
  readonly sql: string;
  /** DuckDB body, or why the view is skipped there. */
  readonly duckdb: { readonly sql: string } | { readonly skipped: string };
}

type Segment = { readonly code: boolean; readonly text: string };

/** Splits SQL into code and non-code (string literals, quoted identifiers, comments, $$ blocks). */
export function segments(sql: string): Segment[] {
  const out: Segment[] = [];
  const re = /'(?:[^'\\]|\\.|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|\$\$[\s\S]*?\$\$/g;
  let last = 0;
  for (const m of sql.matchAll(re)) {
    if (m.index > last) out.push({ code: true, text: sql.slice(last, m.index) });
    out.push({ code: false, text: m[0] });
    last = m.index + m[0].length;
  }
  if (last < sql.length) out.push({ code: true, text: sql.slice(last) });
  return out;
}

/** The code of `sql`: each non-code segment (see {@link segments}) as one space. */
function codeOf(sql: string): string {
  return segments(sql)
    .map((s) => (s.code ? s.text : ' '))
    .join('');
}

/**
 * Rewrites, in the code of `sql` (not in strings or comments), each reference `reference` matches (groups: a
 * logical schema, a name) to the dialect's qualified name: `database`, `schemaOf(logical schema in lower case)`,
 * the canonical name.
 */
export function rewriteReferences(
  sql: string,
  reference: RegExp,
  database: string,
  schemaOf: (logicalSchema: string) => string,
  dialect: Dialect,
): string {
  return segments(sql)
    .map((s) =>
      s.code
        ? s.text.replace(reference, (_m, schema: string, name: string) =>
            dialect.table([database, schemaOf(schema.toLowerCase()), canonicalName(name)]),
          )
        : s.text,
    )
    .join('');
}

const REFERENCE = /(?<![.\w$"])\b(core|gold)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\b/gi;
const DIRECTIVE = /^--\s*duckdb\s*:\s*skip\b\s*(.*)$/im;
const SNOWFLAKE_ONLY: readonly [RegExp, string][] = [
  [/\bFLATTEN\s*\(/i, 'FLATTEN'],
  [/[\w")\]]:(?!:)["A-Za-z_$]/, 'semi-structured path access (col:key)'],
  [/\bPARSE_JSON\s*\(/i, 'PARSE_JSON'],
  [/\bIFF\s*\(/i, 'IFF'],
  [/\b(OBJECT|ARRAY)_CONSTRUCT\s*\(/i, 'OBJECT_CONSTRUCT/ARRAY_CONSTRUCT'],
];

/** Validates a view body (one SELECT) and returns its code text (for reference and syntax scanning). */
export function checkViewBody(file: string, sql: string): string {
  const code = codeOf(sql);
  if (!/^\s*(SELECT|WITH)\b/i.test(code))
    throw new SqlFileError(file, 'must be a single SELECT (or WITH … SELECT) statement');
  if (code.replace(/;\s*$/, '').includes(';'))
    throw new SqlFileError(file, 'must hold exactly one statement (found ";")');
  return code;
}

/**
 * Validates gold views against the datasets and orders them by dependency.
 * @param datasets dataset names (the silver tables `core.<dataset>` may read)
 */
export function planGoldViews(
  sources: readonly GoldViewSource[],
  datasets: readonly string[],
  schemas: SchemaNames,
): GoldView[] {
  const names = new Set<string>();
  for (const s of sources) {
    if (!IDENTIFIER_PATTERN.test(s.name))
      throw new SqlFileError(s.file, `view name (file name) must match ${IDENTIFIER_PATTERN.source}`);
    if (names.has(s.name)) throw new SqlFileError(s.file, `duplicate gold view "${s.name}"`);
    names.add(s.name);
  }
  const views = new Map<string, GoldView>();
  for (const s of sources) {
    const code = checkViewBody(s.file, s.sql);
    const refs = { core: new Set<string>(), gold: new Set<string>() };
    for (const m of code.matchAll(REFERENCE)) {
      const schema = (m[1] as string).toLowerCase() as 'core' | 'gold';
      const name = (m[2] as string).toLowerCase();
      if (schema === 'core' && !datasets.includes(name))
        throw new SqlFileError(
          s.file,
          `references core.${name}, which is not a dataset (have: ${datasets.join(', ')})`,
        );
      if (schema === 'gold' && !names.has(name))
        throw new SqlFileError(s.file, `references gold.${name}, which is not a gold view`);
      if (schema === 'gold' && name === s.name) throw new SqlFileError(s.file, 'references itself');
      refs[schema].add(name);
    }
    let duckdb: GoldView['duckdb'];
    const directive = DIRECTIVE.exec(s.sql);
    if (s.duckdbSql !== undefined) {
      checkViewBody(`${s.file} (duckdb)`, s.duckdbSql);
      duckdb = { sql: s.duckdbSql.trim().replace(/;\s*$/, '') };
    } else if (directive) {
      duckdb = { skipped: directive[1]?.trim() || 'marked "-- duckdb: skip"' };
    } else {
      const hit = SNOWFLAKE_ONLY.find(([re]) => re.test(code));
      duckdb = hit ? { skipped: `uses Snowflake-only syntax: ${hit[1]}` } : { sql: s.sql.trim().replace(/;\s*$/, '') };
    }
    views.set(s.name, {
      name: s.name,
      file: s.file,
      path: [schemas.database, schemas.gold, canonicalName(s.name, 'gold view name')],
      schemas,
      datasets: [...refs.core].sort(),
      views: [...refs.gold].sort(),
      sql: s.sql.trim().replace(/;\s*$/, ''),
      duckdb,
    });
  }
  const order = topologicalOrder(new Map([...views].map(([n, v]) => [n, v.views])), 'gold views');
  return order.map((n) => views.get(n) as GoldView);
}

/** A gold view left out because it reads a dataset the configuration does not have (or such a view). */
export interface SkippedGoldView {
  readonly name: string;
  readonly file: string;
  readonly reason: string;
}

/**
 * For a configuration whose datasets differ from the ones the gold SQL was written for (the local
 * sandbox with `--config`): drops every view that references a missing dataset, and every view that
 * reads a dropped view, each with a reason naming what is missing. {@link planGoldViews} stays
 * strict (a deploy must not silently lose a view).
 */
export function withoutMissingDatasets(
  sources: readonly GoldViewSource[],
  datasets: readonly string[],
): { kept: GoldViewSource[]; skipped: SkippedGoldView[] } {
  const refs = new Map<string, { core: string[]; gold: string[] }>();
  for (const s of sources) {
    const found = { core: [] as string[], gold: [] as string[] };
    for (const m of checkViewBody(s.file, s.sql).matchAll(REFERENCE)) {
      found[(m[1] as string).toLowerCase() as 'core' | 'gold'].push((m[2] as string).toLowerCase());
    }
    refs.set(s.name, found);
  }
  const reasons = new Map<string, string>();
  for (const s of sources) {
    const missing = [...new Set(refs.get(s.name)!.core.filter((d) => !datasets.includes(d)))].sort();
    if (missing.length) {
      reasons.set(s.name, `references ${missing.map((d) => `core.${d}`).join(', ')}, not a dataset of this config`);
    }
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const s of sources) {
      if (reasons.has(s.name)) continue;
      const blocked = refs.get(s.name)!.gold.find((g) => reasons.has(g));
      if (blocked) {
        reasons.set(s.name, `reads gold.${blocked}, which is skipped`);
        changed = true;
      }
    }
  }
  return {
    kept: sources.filter((s) => !reasons.has(s.name)),
    skipped: sources
      .filter((s) => reasons.has(s.name))
      .map((s) => ({ name: s.name, file: s.file, reason: reasons.get(s.name)! })),
  };
}

/** Rewrites `core.x` / `gold.y` in code (not in strings or comments) to the dialect's qualified names. */
export function resolveReferences(sql: string, schemas: SchemaNames, dialect: Dialect): string {
  return rewriteReferences(
    sql,
    REFERENCE,
    schemas.database,
    (s) => (s === 'core' ? schemas.core : schemas.gold),
    dialect,
  );
}

/**
 * A SQL file as object comments name it: its last three path segments, `<SQL folder>/<layer>/<name>.sql`
 * (`snowflake/gold/x.sql` in this repository). Never the absolute path: the deployed SQL must not depend on
 * where the project is checked out.
 */
export function sqlFileLabel(file: string): string {
  return file.split(/[\\/]/).filter(Boolean).slice(-3).join('/');
}

/** The comment of a gold view read from `file`. */
export function goldViewComment(file: string): string {
  return `Gold view from ${sqlFileLabel(file)} (managed by the pipeline).`;
}

/**
 * `CREATE OR REPLACE VIEW … COPY GRANTS` (Snowflake) — a view holds no data, and COPY GRANTS keeps
 * grants made outside the pipeline; the reader role's access comes from the FUTURE grant anyway.
 * Returns undefined for DuckDB when the view is skipped there.
 */
export function createViewStatement(view: GoldView, dialect: Dialect): string | undefined {
  const { schemas } = view;
  if (dialect.name === 'duckdb') {
    if (!('sql' in view.duckdb)) return undefined;
    return `CREATE OR REPLACE VIEW ${dialect.table(view.path)} AS\n${resolveReferences(view.duckdb.sql, schemas, dialect)}`;
  }
  const comment = goldViewComment(view.file);
  return `CREATE OR REPLACE VIEW ${dialect.table(view.path)} COPY GRANTS COMMENT = ${stringLiteral(comment)} AS\n${resolveReferences(view.sql, schemas, dialect)}`;
}

export interface ReaderRoleOptions {
  /** Role granted the reader role, so administrators inherit it (Snowflake best practice). @default 'SYSADMIN' */
  readonly grantTo?: string | null;
  /** What the role reads in its schema: its views (gold, warehouse, mart) or its tables (vault). @default 'views' */
  readonly objects?: ReaderObjects;
}

/** The objects a reader role selects from in its schema. */
export type ReaderObjects = 'views' | 'tables';

/**
 * The read-only analysts' role: USAGE on the database and the gold schema, SELECT on every
 * current and future view in gold — nothing on raw or core (views run with their owner's rights).
 * With `objects: 'tables'` (the vault reader) SELECT on every current and future table instead.
 */
export function readerRoleStatements(schemas: SchemaNames, role: string, options: ReaderRoleOptions = {}): string[] {
  const r = quoteIdentifier(role, 'reader role');
  const gold = qualifiedName(schemas.database, schemas.gold);
  const grantTo = options.grantTo === undefined ? 'SYSADMIN' : options.grantTo;
  const objects = (options.objects ?? 'views').toUpperCase();
  return [
    `CREATE ROLE IF NOT EXISTS ${r} COMMENT = ${stringLiteral(`Read-only access to ${schemas.database}.${schemas.gold} (managed by the pipeline).`)}`,
    `GRANT USAGE ON DATABASE ${quoteIdentifier(schemas.database)} TO ROLE ${r}`,
    `GRANT USAGE ON SCHEMA ${gold} TO ROLE ${r}`,
    `GRANT SELECT ON ALL ${objects} IN SCHEMA ${gold} TO ROLE ${r}`,
    `GRANT SELECT ON FUTURE ${objects} IN SCHEMA ${gold} TO ROLE ${r}`,
    ...(grantTo ? [`GRANT ROLE ${r} TO ROLE ${quoteIdentifier(grantTo, 'role')}`] : []),
  ];
}
