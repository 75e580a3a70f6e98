/**
 * The analysts' read-only role (snowflake/model/gold.ts readerRoleStatements): USAGE on the database
 * and the gold schema, SELECT on all current and future views in gold, granted to SYSADMIN (or the
 * configured role) so administrators inherit it. Nothing on the raw or core schemas. The layer roles
 * use the same kind for their schema: views (WAREHOUSE, MART) or, with `objects: 'tables'`, tables (VAULT).
 *
 * An update grants only what is missing (read with SHOW GRANTS TO ROLE / OF ROLE, SHOW FUTURE GRANTS,
 * SHOW VIEWS / TABLES); grants made outside the pipeline are left alone. An account-level object whose grants
 * to users are made by administrators: retained on Delete unless the removal policy is `destroy`.
 */
import { z } from 'zod';
import { qualifiedName, quoteIdentifier, stringLiteral } from '../identifiers';
import { schemaNames } from '../names';
import { readerRoleStatements } from '../model/gold';
import type { ObjectKind, Plan, SqlSession, Step } from '../engine/types';
import { comment, exactRow, identifier, sameComment } from '../engine/values';

export const readerRoleDefinition = z
  .object({
    name: identifier,
    database: identifier,
    /** The schema it reads (gold, or a layer schema). */
    schema: identifier,
    /** What it selects from in that schema: views (gold, warehouse, mart) or tables (vault). @default views */
    objects: z.enum(['views', 'tables']).optional(),
    /** Role granted this role (administrators inherit it); `NONE` for no grant. @default SYSADMIN */
    grantTo: identifier.optional(),
    /** Warehouse the role may use (USAGE), so analysts holding only this role can run queries. @default none */
    warehouse: identifier.optional(),
    comment,
  })
  .strict();
export type ReaderRoleDefinition = z.infer<typeof readerRoleDefinition>;

export interface ReaderRoleState {
  readonly comment: string | null;
  /** Privileges held, as `PRIVILEGE ON KIND NAME` (canonical names). */
  readonly grants: ReadonlySet<string>;
  /** Future grants in the gold schema to this role, as `PRIVILEGE ON KIND`. */
  readonly futureGrants: ReadonlySet<string>;
  /** Roles this role is granted to. */
  readonly grantedTo: ReadonlySet<string>;
  /** Views (or tables, for `objects: 'tables'`) of the schema. */
  readonly views: readonly string[];
}

const canonical = (name: string | null | undefined) =>
  String(name ?? '')
    .replace(/"/g, '')
    .toUpperCase();
const grantTo = (d: ReaderRoleDefinition) => (d.grantTo === 'NONE' ? null : (d.grantTo ?? 'SYSADMIN'));
const objectsOf = (d: ReaderRoleDefinition) => d.objects ?? 'views';

async function readState(d: ReaderRoleDefinition, session: SqlSession): Promise<ReaderRoleState | undefined> {
  const row = exactRow(await session.query(`SHOW ROLES LIKE ${stringLiteral(d.name)}`), d.name);
  if (!row) return undefined;
  const role = quoteIdentifier(d.name);
  const gold = qualifiedName(d.database, d.schema);
  const grants = (await session.query(`SHOW GRANTS TO ROLE ${role}`)).map(
    (g) => `${canonical(g.privilege)} ON ${canonical(g.granted_on)} ${canonical(g.name)}`,
  );
  const schemaExists = (
    await session.query(`SHOW SCHEMAS LIKE ${stringLiteral(d.schema)} IN DATABASE ${quoteIdentifier(d.database)}`)
  ).some((r) => r.name === d.schema);
  const future = schemaExists
    ? (await session.query(`SHOW FUTURE GRANTS IN SCHEMA ${gold}`))
        .filter((g) => canonical(g.grantee_name) === d.name)
        .map((g) => `${canonical(g.privilege)} ON ${canonical(g.grant_on)}`)
    : [];
  const views = schemaExists
    ? (await session.query(`SHOW ${objectsOf(d).toUpperCase()} IN SCHEMA ${gold}`)).map(
        (v) => `${d.database}.${d.schema}.${canonical(v.name)}`,
      )
    : [];
  const grantedTo = (await session.query(`SHOW GRANTS OF ROLE ${role}`))
    .filter((g) => canonical(g.granted_to) === 'ROLE')
    .map((g) => canonical(g.grantee_name));
  return {
    comment: row.comment ?? null,
    grants: new Set(grants),
    futureGrants: new Set(future),
    grantedTo: new Set(grantedTo),
    views,
  };
}

export const readerRoleKind: ObjectKind<ReaderRoleDefinition, ReaderRoleState> = {
  kind: 'reader-role',
  label: 'reader role',
  dataBearing: true,
  schema: readerRoleDefinition,
  physicalId: (d) => d.name,
  read: readState,
  plan(current, d): Plan {
    const schemas = schemaNames(d.database, { gold: d.schema });
    const [create, dbUsage, schemaUsage, allViews, futureViews, inherit] = readerRoleStatements(schemas, d.name, {
      grantTo: grantTo(d),
      objects: objectsOf(d),
    }) as [string, string, string, string, string, string | undefined];
    const kind = objectsOf(d) === 'tables' ? 'TABLE' : 'VIEW';
    const createSql = create.replace(/^CREATE ROLE IF NOT EXISTS /, 'CREATE ROLE ');
    const withComment = d.comment
      ? createSql.replace(/ COMMENT = .*$/, ` COMMENT = ${stringLiteral(d.comment)}`)
      : createSql;
    const warehouseUsage = d.warehouse
      ? `GRANT USAGE ON WAREHOUSE ${quoteIdentifier(d.warehouse)} TO ROLE ${quoteIdentifier(d.name)}`
      : undefined;
    const grants = [
      dbUsage,
      schemaUsage,
      allViews,
      futureViews,
      ...(inherit ? [inherit] : []),
      ...(warehouseUsage ? [warehouseUsage] : []),
    ];
    if (!current)
      return {
        change: 'create',
        steps: [{ type: 'sql', sql: withComment }, ...grants.map((sql): Step => ({ type: 'sql', sql }))],
        notes: [],
      };
    const wantedComment = / COMMENT = '((?:[^'\\]|\\.)*)'$/.exec(withComment)?.[1]?.replace(/\\(.)/g, '$1') ?? '';
    const steps: Step[] = [];
    const has = (g: string) => current.grants.has(g);
    if (!has(`USAGE ON DATABASE ${d.database}`)) steps.push({ type: 'sql', sql: dbUsage });
    if (!has(`USAGE ON SCHEMA ${d.database}.${d.schema}`)) steps.push({ type: 'sql', sql: schemaUsage });
    if (current.views.some((v) => !has(`SELECT ON ${kind} ${v}`))) steps.push({ type: 'sql', sql: allViews });
    if (!current.futureGrants.has(`SELECT ON ${kind}`)) steps.push({ type: 'sql', sql: futureViews });
    const to = grantTo(d);
    if (inherit && to && !current.grantedTo.has(to)) steps.push({ type: 'sql', sql: inherit });
    if (warehouseUsage && !has(`USAGE ON WAREHOUSE ${d.warehouse}`)) steps.push({ type: 'sql', sql: warehouseUsage });
    if (!sameComment(current.comment, wantedComment))
      steps.push({
        type: 'sql',
        sql: `ALTER ROLE ${quoteIdentifier(d.name)} SET COMMENT = ${stringLiteral(wantedComment)}`,
      });
    return { change: steps.length ? 'alter' : 'no-op', steps, notes: [] };
  },
  drop: (d) => `DROP ROLE IF EXISTS ${quoteIdentifier(d.name)}`,
  attributes: (d) => ({ Name: d.name }),
};
