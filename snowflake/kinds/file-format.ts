/**
 * File format of the stage lines (gzip NDJSON). Stateless: options change with ALTER; a type change
 * recreates it atomically (CREATE OR REPLACE), which stages and pipes resolve by name.
 */
import { z } from 'zod';
import { qualifiedName, stringLiteral } from '../identifiers';
import type { ObjectKind, Plan } from '../engine/types';
import { cfnBoolean, comment, commentClause, exactRow, identifier, sameComment, showInSchema } from '../engine/values';

export const fileFormatDefinition = z
  .object({
    database: identifier,
    schema: identifier,
    name: identifier,
    type: z.enum(['JSON'], { error: 'must be JSON (the stage holds NDJSON lines)' }),
    compression: z.enum(['AUTO', 'GZIP', 'NONE'], { error: 'must be AUTO, GZIP or NONE' }).optional(),
    stripOuterArray: cfnBoolean.optional(),
    comment,
  })
  .strict();
export type FileFormatDefinition = z.infer<typeof fileFormatDefinition>;

export interface FileFormatState {
  readonly type: string;
  readonly compression: string;
  readonly stripOuterArray: boolean;
  readonly comment: string | null;
}

function parseOptions(json: string | null | undefined): Record<string, unknown> {
  try {
    return JSON.parse(json ?? '{}') as Record<string, unknown>;
  } catch {
    return {};
  }
}

const fqn = (d: FileFormatDefinition) => qualifiedName(d.database, d.schema, d.name);

function options(d: FileFormatDefinition): string {
  return `TYPE = ${d.type} COMPRESSION = ${d.compression ?? 'GZIP'} STRIP_OUTER_ARRAY = ${d.stripOuterArray ? 'TRUE' : 'FALSE'}`;
}

export const fileFormatKind: ObjectKind<FileFormatDefinition, FileFormatState> = {
  kind: 'file-format',
  label: 'file format',
  dataBearing: true,
  schema: fileFormatDefinition,
  physicalId: (d) => `${d.database}.${d.schema}.${d.name}`,
  async read(d, session) {
    const row = exactRow(await session.query(showInSchema('FILE FORMATS', d.database, d.schema, d.name)), d.name);
    if (!row) return undefined;
    const opts = parseOptions(row.format_options);
    return {
      type: String(row.type ?? opts.TYPE ?? ''),
      compression: String(opts.COMPRESSION ?? 'AUTO'),
      stripOuterArray: opts.STRIP_OUTER_ARRAY === true || opts.STRIP_OUTER_ARRAY === 'true',
      comment: row.comment ?? null,
    };
  },
  plan(current, d): Plan {
    if (!current)
      return {
        change: 'create',
        steps: [
          {
            type: 'sql',
            sql: `CREATE FILE FORMAT ${fqn(d)} ${options(d)}${commentClause(d.comment)}`,
          },
        ],
        notes: [],
      };
    if (current.type.toUpperCase() !== d.type)
      return {
        change: 'replace',
        steps: [
          { type: 'sql', sql: `CREATE OR REPLACE FILE FORMAT ${fqn(d)} ${options(d)}${commentClause(d.comment)}` },
        ],
        notes: [`type changes from ${current.type} to ${d.type}: recreated (stages and pipes refer to it by name)`],
      };
    const set: string[] = [];
    if (current.compression.toUpperCase() !== (d.compression ?? 'GZIP'))
      set.push(`COMPRESSION = ${d.compression ?? 'GZIP'}`);
    if (current.stripOuterArray !== (d.stripOuterArray ?? false))
      set.push(`STRIP_OUTER_ARRAY = ${d.stripOuterArray ? 'TRUE' : 'FALSE'}`);
    if (!sameComment(current.comment, d.comment)) set.push(`COMMENT = ${stringLiteral(d.comment ?? '')}`);
    if (!set.length) return { change: 'no-op', steps: [], notes: [] };
    return {
      change: 'alter',
      steps: [{ type: 'sql', sql: `ALTER FILE FORMAT ${fqn(d)} SET ${set.join(' ')}` }],
      notes: [],
    };
  },
  drop: (d) => `DROP FILE FORMAT IF EXISTS ${fqn(d)}`,
  attributes: (d) => ({ Name: `${d.database}.${d.schema}.${d.name}` }),
};
