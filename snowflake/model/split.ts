/**
 * Fan-out by a record field (`split: { field: 'on', into: { vehicle: 'vehicle_events', … } }`).
 *
 * Design: the split dataset keeps ONE bronze table (its pipe loads every record of the file there).
 * Each target dataset has its own stream ON that bronze table, its own silver table, rejects table
 * and MERGE task, whose batch is the stream rows with its field value(s) (a filter on the stream
 * source, merge.ts). The split dataset's own stream feeds one statement: the rows whose field is
 * missing or has no target go to `<SPLIT>_REJECTS` with reason SPLIT_NO_TARGET. So every row is in
 * exactly one place (a target's silver or rejects, or the split dataset's rejects), nothing is
 * copied, and lineage (SOURCE_KEY, SOURCE_ROW, STAGE_FILE, STAGE_ROW) is the original file's.
 *
 * Why not in the parser: the parser would have to know every target's columns and write one stage
 * object per target and file (N pipes, N copies, the file ledger counting across prefixes); here the
 * original bronze row is the single copy, the routing is plain SQL that `npm run plan` shows, and a
 * new target is a new stream that can start from the rows already in bronze.
 */
import type { DatasetSpec } from '../../contracts/config';
import { quoteIdentifier } from '../identifiers';
import { BRONZE_COLUMNS } from '../names';
import type { ObjectPath, SchemaNames } from '../names';
import { buildDatasetModel, REJECT_COLUMNS, REJECT_REASONS } from './dataset-model';
import type { DatasetModel } from './dataset-model';
import type { Dialect } from './dialect';
import { DataModelError } from './errors';

const q = (name: string) => quoteIdentifier(name);
const RECORD = q('RECORD');
const LINEAGE_KEY = ['SOURCE_KEY', 'RECEIVED_AT', 'SOURCE_ROW'] as const;

/**
 * Models of every dataset, with split targets wired to their split dataset: a target's bronze is
 * the split dataset's bronze (its stream is ON it) and its batch is filtered by the field value.
 */
export function buildDatasetModels(specs: readonly DatasetSpec[], schemas: SchemaNames): DatasetModel[] {
  const models = specs.map((d) => buildDatasetModel(d, schemas));
  const byName = new Map(models.map((m) => [m.spec.name, m]));
  const sources = new Map<string, { parent: DatasetModel; values: string[] }>();
  for (const m of models) {
    for (const [value, target] of Object.entries(m.split?.into ?? {})) {
      if (!byName.has(target))
        throw new DataModelError(`${m.spec.name}.split.into.${value}: unknown dataset "${target}"`);
      const s = sources.get(target);
      if (s && s.parent !== m)
        throw new DataModelError(`${target}: split target of both ${s.parent.spec.name} and ${m.spec.name}`);
      sources.set(target, { parent: m, values: [...(s?.values ?? []), value] });
    }
  }
  return models.map((m) => {
    const s = sources.get(m.spec.name);
    if (!s) return m;
    if (m.split) throw new DataModelError(`${m.spec.name}: a split target cannot be split itself`);
    const field = s.parent.split?.field;
    if (!field) throw new DataModelError(`${s.parent.spec.name}: split field missing`);
    return {
      ...m,
      objects: { ...m.objects, bronze: s.parent.objects.bronze },
      splitFrom: { parent: s.parent.spec.name, field, values: s.values },
    };
  });
}

/** Names of the datasets that are split targets (they have no bronze table or pipe of their own). */
export function splitTargetNames(
  datasets: readonly { readonly split?: { readonly into: Readonly<Record<string, string>> } }[],
): Set<string> {
  return new Set(datasets.flatMap((d) => Object.values(d.split?.into ?? {})));
}

/** True when the dataset has a `<DATASET>_REJECTS` table: every dataset (kept as the one place that says so). */
export function hasRejects(_model: Pick<DatasetModel, 'primaryKey' | 'split'>): boolean {
  // Every dataset has one: key rejects, CAST_FAILED values (insert-only too) and SPLIT_NO_TARGET rows.
  return true;
}

/** True when the dataset has a silver table (every dataset but a split one). */
export function hasSilver(model: Pick<DatasetModel, 'split'>): boolean {
  return model.split === undefined;
}

/** The tables a dataset owns, in order: bronze (not for a split target), silver (not for a split dataset), rejects. */
export function ownTables(model: DatasetModel): ObjectPath[] {
  const { bronze, silver, rejects } = model.objects;
  return [
    ...(model.splitFrom ? [] : [bronze]),
    ...(hasSilver(model) ? [silver] : []),
    ...(hasRejects(model) ? [rejects] : []),
  ];
}

/** The stream-source predicate of a split target (`<field text> IN (…)`), else undefined. */
export function splitSourceFilter(model: DatasetModel, dialect: Dialect): string | undefined {
  const from = model.splitFrom;
  if (!from) return undefined;
  return `${dialect.textAt(RECORD, from.field.steps)} IN (${from.values.map((v) => dialect.literal(v)).join(', ')})`;
}

/**
 * The split dataset's run: INSERT INTO `<SPLIT>_REJECTS` the stream rows whose field is missing or
 * has no target (SPLIT_NO_TARGET), once per lineage (a re-delivered row is not rejected twice).
 */
export function splitRejectsStatement(model: DatasetModel, dialect: Dialect): string {
  const split = model.split;
  if (!split) throw new DataModelError(`${model.spec.name}: not a split dataset`);
  const target = dialect.table(model.objects.rejects);
  const bronze = BRONZE_COLUMNS.map((c) => c.name);
  const value = q('_SPLIT_VALUE');
  const known = Object.keys(split.into);
  const where = `${split.field.specName} (path ${split.field.path})`;
  const filter = dialect.streamFilter ? ` WHERE ${dialect.streamFilter}` : '';
  const lineage = LINEAGE_KEY.map((c) => `r.${q(c)} = b.${q(c)}`).join(' AND ');
  const cols = [...bronze, REJECT_COLUMNS.reason, REJECT_COLUMNS.detail, REJECT_COLUMNS.rejectedAt].map(q).join(', ');
  return (
    `INSERT INTO ${target} (${cols})\n` +
    `SELECT ${bronze.map((c) => `b.${q(c)}`).join(', ')},\n` +
    `  ${dialect.literal(REJECT_REASONS.splitNoTarget)},\n` +
    `  CASE WHEN b.${value} IS NULL OR b.${value} = '' THEN ${dialect.literal(`split field ${where} is missing`)}\n` +
    `    ELSE ${dialect.literal(`split field ${where}: value `)} || LEFT(b.${value}, 100) || ` +
    `${dialect.literal(` has no target dataset (known: ${known.join(', ')})`)} END,\n` +
    `  ${dialect.now}\n` +
    `FROM (\n    SELECT ${bronze.map(q).join(', ')}, ${dialect.textAt(RECORD, split.field.steps)} AS ${value}\n` +
    `    FROM ${dialect.table(model.objects.stream)}${filter}\n  ) AS b\n` +
    `WHERE (b.${value} IS NULL OR b.${value} NOT IN (${known.map((v) => dialect.literal(v)).join(', ')}))\n` +
    `  AND NOT EXISTS (SELECT 1 FROM ${target} AS r WHERE ${lineage})\n` +
    `QUALIFY ROW_NUMBER() OVER (PARTITION BY ${LINEAGE_KEY.map((c) => `b.${q(c)}`).join(', ')} ORDER BY b."STAGE_FILE", b."STAGE_ROW") = 1`
  );
}
