/**
 * Schema evolution of a silver table, as a pure plan: compares the live columns (DESC TABLE
 * rows) with the spec and returns the statements that are safe to run plus everything that is
 * not applied automatically, reported explicitly. Nothing is ever dropped and no data is lost:
 *
 * - column added to the spec (or a lineage column missing)  → ALTER TABLE … ADD COLUMN IF NOT EXISTS
 *   (existing rows get NULL; the new MERGE body fills it for new rows);
 * - column removed from the spec → REMOVED: kept in the table with its data, no longer written;
 * - column retyped → RETYPED: not changed; with `allowWidening`, a safe widening (longer VARCHAR,
 *   larger NUMBER precision at the same scale) is applied with ALTER COLUMN … SET DATA TYPE;
 * - primary key changed → PRIMARY_KEY_CHANGED: blocked (existing rows were deduplicated by the old key);
 * - description changed → ALTER COLUMN … COMMENT.
 */
import { qualifiedName, quoteIdentifier, stringLiteral } from '../identifiers';
import { isSafeWidening, parseColumnType, sameColumnType } from './column-types';
import type { ColumnType } from './column-types';
import type { DatasetModel } from './dataset-model';
import { DataModelError } from './errors';
import { silverTable } from './tables';

/** One row of `DESC TABLE` (only the fields used; names as Snowflake returns them). */
export interface DescribedColumn {
  readonly name: string;
  readonly type: string;
  /** `Y` / `N`. */
  readonly 'primary key'?: string;
  readonly comment?: string | null;
}

export type SchemaChangeCode =
  'COLUMN_ADDED' | 'COLUMN_REMOVED' | 'COLUMN_RETYPED' | 'COLUMN_WIDENED' | 'PRIMARY_KEY_CHANGED' | 'COMMENT_CHANGED';

export interface SchemaChange {
  readonly code: SchemaChangeCode;
  readonly column?: string;
  readonly message: string;
}

export interface SchemaEvolutionPlan {
  /** Statements to run, in order (empty when nothing changes). */
  readonly statements: readonly string[];
  /** Every difference found, applied or not. */
  readonly changes: readonly SchemaChange[];
  /** Differences that were NOT applied (removed / retyped columns, key changes). */
  readonly unapplied: readonly SchemaChange[];
  /** True when the silver table cannot be updated safely (primary key changed). */
  readonly blocked: boolean;
}

export interface SchemaEvolutionOptions {
  /** Apply safe widenings (VARCHAR length up, NUMBER precision up at the same scale). @default false */
  readonly allowWidening?: boolean;
}

/** Plans the ALTERs that bring the live silver table in line with the spec without losing data. */
export function planSilverEvolution(
  model: DatasetModel,
  current: readonly DescribedColumn[],
  options: SchemaEvolutionOptions = {},
): SchemaEvolutionPlan {
  const table = silverTable(model);
  const target = qualifiedName(...table.name);
  const live = new Map<string, { type: ColumnType; key: boolean; comment: string }>();
  for (const c of current) {
    const name = c.name.toUpperCase();
    let type: ColumnType;
    try {
      type = parseColumnType(c.type, `${target}.${name}`);
    } catch (e) {
      throw new DataModelError(`${target}: DESC TABLE returned an unknown type ${JSON.stringify(c.type)} for ${name}`, {
        cause: e,
      });
    }
    live.set(name, { type, key: c['primary key'] === 'Y', comment: c.comment ?? '' });
  }
  const statements: string[] = [];
  const changes: SchemaChange[] = [];
  const unapplied: SchemaChange[] = [];
  const wanted = new Set(table.columns.map((c) => c.name));
  for (const c of table.columns) {
    const have = live.get(c.name);
    const col = quoteIdentifier(c.name);
    if (!have) {
      statements.push(
        `ALTER TABLE ${target} ADD COLUMN IF NOT EXISTS ${col} ${c.type.snowflake}${c.comment ? ` COMMENT ${stringLiteral(c.comment)}` : ''}`,
      );
      changes.push({
        code: 'COLUMN_ADDED',
        column: c.name,
        message: `add ${c.name} ${c.type.snowflake} (existing rows: NULL)`,
      });
      continue;
    }
    if (!sameColumnType(have.type, c.type)) {
      if (options.allowWidening && isSafeWidening(have.type, c.type)) {
        statements.push(`ALTER TABLE ${target} ALTER COLUMN ${col} SET DATA TYPE ${c.type.snowflake}`);
        changes.push({
          code: 'COLUMN_WIDENED',
          column: c.name,
          message: `widen ${c.name} ${have.type.snowflake} → ${c.type.snowflake}`,
        });
      } else {
        const change: SchemaChange = {
          code: 'COLUMN_RETYPED',
          column: c.name,
          message:
            `${c.name} is ${have.type.snowflake} in Snowflake but ${c.type.snowflake} in the spec: not changed ` +
            (isSafeWidening(have.type, c.type)
              ? '(a safe widening: set allowWidening to apply it)'
              : '(add a new column and backfill it, or recreate the table explicitly)'),
        };
        changes.push(change);
        unapplied.push(change);
      }
    }
    if (c.comment !== undefined && c.comment !== have.comment) {
      statements.push(`ALTER TABLE ${target} ALTER COLUMN ${col} COMMENT ${stringLiteral(c.comment)}`);
      changes.push({ code: 'COMMENT_CHANGED', column: c.name, message: `comment of ${c.name} updated` });
    }
  }
  for (const [name] of live) {
    if (wanted.has(name)) continue;
    const change: SchemaChange = {
      code: 'COLUMN_REMOVED',
      column: name,
      message: `${name} is no longer in the spec: kept with its data, no longer written (drop it by hand if intended)`,
    };
    changes.push(change);
    unapplied.push(change);
  }
  const liveKey = [...live].filter(([, v]) => v.key).map(([n]) => n);
  const specKey = table.primaryKey ?? [];
  const keyChanged =
    liveKey.length > 0 && (liveKey.length !== specKey.length || liveKey.some((k) => !specKey.includes(k)));
  const keyAdded = liveKey.length === 0 && specKey.length > 0 && current.length > 0;
  if (keyChanged || keyAdded) {
    const change: SchemaChange = {
      code: 'PRIMARY_KEY_CHANGED',
      message: `primary key (${liveKey.join(', ') || 'none'}) → (${specKey.join(', ') || 'none'}): existing rows were deduplicated by the old key; migrate explicitly`,
    };
    changes.push(change);
    unapplied.push(change);
  }
  return { statements: keyChanged || keyAdded ? [] : statements, changes, unapplied, blocked: keyChanged || keyAdded };
}
