/**
 * External stage over the stage bucket, through the storage integration. Stateless: every change is
 * an ALTER (pipes keep referring to it by name and keep their load history).
 */
import { z } from 'zod';
import { qualifiedName, quoteIdentifier, stringLiteral } from '../identifiers';
import type { ObjectKind, Plan } from '../engine/types';
import { comment, commentClause, exactRow, identifier, objectRef, sameComment, showInSchema } from '../engine/values';

export const stageDefinition = z
  .object({
    database: identifier,
    schema: identifier,
    name: identifier,
    url: z
      .string()
      .regex(
        /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/([A-Za-z0-9!_.*()/=-]*\/)?$/,
        'must be an s3://bucket/ URL ending with /',
      ),
    storageIntegration: identifier,
    /** File format as DATABASE.SCHEMA.NAME. */
    fileFormat: objectRef,
    comment,
  })
  .strict();
export type StageDefinition = z.infer<typeof stageDefinition>;

export interface StageState {
  readonly url: string;
  readonly storageIntegration: string;
  readonly fileFormat: string;
  readonly comment: string | null;
}

const fqn = (d: StageDefinition) => qualifiedName(d.database, d.schema, d.name);
/** `"DB"."RAW"."F"` / `db.raw.f` → `DB.RAW.F`. */
const canonicalRef = (v: string | null | undefined) => (v ?? '').replace(/"/g, '').toUpperCase();
/** SHOW STAGES renders URLs as `["s3://b/"]` on some versions, `s3://b/` on others. */
const canonicalUrl = (v: string | null | undefined) => (v ?? '').replace(/^\["?|"?\]$/g, '');

export const stageKind: ObjectKind<StageDefinition, StageState> = {
  kind: 'stage',
  label: 'stage',
  dataBearing: true,
  schema: stageDefinition,
  physicalId: (d) => `${d.database}.${d.schema}.${d.name}`,
  async read(d, session) {
    const row = exactRow(await session.query(showInSchema('STAGES', d.database, d.schema, d.name)), d.name);
    if (!row) return undefined;
    const desc = await session.query(`DESC STAGE ${fqn(d)}`);
    const format = desc.find((r) => r.parent_property === 'STAGE_FILE_FORMAT' && r.property === 'FORMAT_NAME');
    return {
      url: canonicalUrl(row.url),
      storageIntegration: (row.storage_integration ?? '').toUpperCase(),
      fileFormat: canonicalRef(format?.property_value),
      comment: row.comment ?? null,
    };
  },
  plan(current, d): Plan {
    const format = `FILE_FORMAT = (FORMAT_NAME = ${stringLiteral(d.fileFormat)})`;
    if (!current) {
      const sql =
        `CREATE STAGE ${fqn(d)} URL = ${stringLiteral(d.url)} STORAGE_INTEGRATION = ${quoteIdentifier(d.storageIntegration)} ${format}` +
        commentClause(d.comment);
      return {
        change: 'create',
        steps: [{ type: 'sql', sql, retryOnAccessError: true }],
        notes: [],
      };
    }
    const set: string[] = [];
    if (current.url !== d.url) set.push(`URL = ${stringLiteral(d.url)}`);
    if (current.storageIntegration !== d.storageIntegration)
      set.push(`STORAGE_INTEGRATION = ${quoteIdentifier(d.storageIntegration)}`);
    if (current.fileFormat !== d.fileFormat) set.push(format);
    if (!sameComment(current.comment, d.comment)) set.push(`COMMENT = ${stringLiteral(d.comment ?? '')}`);
    if (!set.length) return { change: 'no-op', steps: [], notes: [] };
    return {
      change: 'alter',
      steps: [{ type: 'sql', sql: `ALTER STAGE ${fqn(d)} SET ${set.join(' ')}`, retryOnAccessError: true }],
      notes: [],
    };
  },
  drop: (d) => `DROP STAGE IF EXISTS ${fqn(d)}`,
  attributes: (d) => ({ Name: `${d.database}.${d.schema}.${d.name}` }),
};
