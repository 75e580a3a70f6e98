/**
 * The file ledger, in both dialects: `OPS.FILE_MANIFESTS` (one row per manifest file the parser wrote under
 * `manifests/` of the stage bucket, loaded by `OPS.FILE_MANIFESTS_PIPE`) and the view `OPS.FILE_LEDGER`, one
 * row per input object version, joining each manifest with what the warehouse holds for that version
 * (SOURCE_KEY + RECEIVED_AT, the lineage every bronze, silver and rejects row carries):
 *
 * - ROWS_LOADED: bronze rows (a stage file loaded twice counts twice here, nowhere else);
 * - ROWS_MERGED: distinct rows of the version now in silver (same lineage);
 * - ROWS_REJECTED: distinct rows kept out of silver by a reject (ROW_REJECTED, NULL counts as TRUE);
 * - ROWS_SUPERSEDED: distinct rows neither merged nor rejected whose key is in silver with another version
 *   (the MERGE keeps only the latest version of a key, so that version is newer);
 * - CAST_FAILURES: CAST_FAILED rejects (values), whether the row was merged with NULL or rejected;
 * - DRIFT / DRIFT_DETECTED: the parser's drift report and whether it lists anything;
 * - ACCOUNTED: staged → ROWS_IN = merged + superseded + rejected + ROWS_QUARANTINED (and row rejects have a
 *   quarantine object); quarantined → its report exists; superseded → TRUE.
 *
 * A manifest loaded twice (e.g. a recreated pipe) counts once. Every dataset contributes one aggregate
 * over its own tables, so a dataset without rows adds nothing and costs one scan of empty tables.
 */
import { MANIFEST_PREFIX } from '../../contracts/constants';
import { quoteIdentifier } from '../identifiers';
import { renderCopy } from '../kinds/pipe';
import type { PipeDefinition } from '../kinds/pipe';
import { LEDGER_COLUMNS, MANIFEST_COLUMNS, opsObjectNames, pipelineObjectNames } from '../names';
import type { ObjectPath, SchemaNames } from '../names';
import { parseColumnType } from './column-types';
import type { DatasetModel, ModelColumn } from './dataset-model';
import { REJECT_COLUMNS, REJECT_REASONS } from './dataset-model';
import type { Dialect } from './dialect';
import { typedValue } from './merge';
import type { TableDefinition } from './tables';

const q = (name: string) => quoteIdentifier(name);
const MANIFEST = `m.${q('MANIFEST')}`;
const TS_TZ = parseColumnType('TIMESTAMP_TZ', 'ledger.RECEIVED_AT');
const COUNT = parseColumnType('NUMBER(38,0)', 'ledger.ROWS');

/** `OPS.FILE_MANIFESTS`: MANIFEST_COLUMNS (the manifest as VARIANT, its stage file, the load time). */
export function manifestsTable(schemas: SchemaNames): TableDefinition {
  const comments: Record<(typeof MANIFEST_COLUMNS)[number]['name'], string> = {
    MANIFEST: 'One FileManifest (contracts/file-manifest.ts) as written by the parser.',
    STAGE_FILE: 'Manifest file loaded by the pipe (METADATA$FILENAME).',
    LOADED_AT: 'Start of the pipe load scan (METADATA$START_SCAN_TIME).',
  };
  return {
    name: opsObjectNames(schemas).manifests,
    columns: MANIFEST_COLUMNS.map((c) => ({
      name: c.name,
      type: parseColumnType(c.type, `FILE_MANIFESTS.${c.name}`),
      comment: comments[c.name],
    })),
    comment: 'File manifests written by the parser under manifests/ of the stage bucket, one row per file.',
  };
}

/**
 * `OPS.FILE_MANIFESTS_PIPE` (kind `pipe`): AUTO_INGEST over `@<RAW stage>/manifests/` (MANIFEST_PREFIX) in the
 * stage lines' gzip JSON file format, filling every MANIFEST_COLUMNS column from its `from` expression. The
 * stage bucket notifies the pipe's channel for the `manifests/` prefix (lib/snowflake/snowpipe.ts).
 */
export function manifestsPipeDefinition(
  schemas: SchemaNames,
  options: { readonly errorIntegration?: string } = {},
): PipeDefinition {
  const ops = opsObjectNames(schemas);
  const shared = pipelineObjectNames(schemas);
  return {
    database: ops.manifestsPipe[0],
    schema: ops.manifestsPipe[1],
    name: ops.manifestsPipe[2],
    table: ops.manifests.join('.'),
    stage: shared.stage.join('.'),
    path: MANIFEST_PREFIX,
    fileFormat: shared.fileFormat.join('.'),
    columns: MANIFEST_COLUMNS.map((c) => ({ name: c.name, from: c.from })),
    ...(options.errorIntegration ? { errorIntegration: options.errorIntegration } : {}),
    comment: `Loads ${MANIFEST_PREFIX} (file manifests written by the parser) into ${ops.manifests.join('.')}`,
  };
}

/** The COPY of `OPS.FILE_MANIFESTS_PIPE` (Snowflake), as the pipe kind renders it. */
export function manifestsCopyStatement(schemas: SchemaNames): string {
  return renderCopy(manifestsPipeDefinition(schemas));
}

/** Latest manifest per object version (a manifest loaded twice counts once), its fields typed. */
function manifestsCte(schemas: SchemaNames, d: Dialect): string {
  const text = (key: string) => d.textAt(MANIFEST, [{ key }]);
  const typed = (key: string, t = COUNT) => d.typedAt(MANIFEST, [{ key }], t);
  const fields = [
    `${text('source_key')} AS ${q('SOURCE_KEY')}`,
    `${text('version_id')} AS ${q('VERSION_ID')}`,
    `${text('source')} AS ${q('SOURCE')}`,
    `${text('dataset')} AS ${q('DATASET')}`,
    `${typed('received_at', TS_TZ)} AS ${q('RECEIVED_AT')}`,
    `${text('status')} AS ${q('STATUS')}`,
    `${text('reason')} AS ${q('REASON')}`,
    `${typed('rows_in')} AS ${q('ROWS_IN')}`,
    `${typed('rows_staged')} AS ${q('ROWS_STAGED')}`,
    `${typed('rows_quarantined')} AS ${q('ROWS_QUARANTINED')}`,
    `${d.valueAt(MANIFEST, [{ key: 'drift' }])} AS ${q('DRIFT')}`,
    `${d.valueAt(MANIFEST, [{ key: 'quarantine_objects' }])} AS ${q('QUARANTINE_OBJECTS')}`,
    `m.${q('LOADED_AT')} AS ${q('_LOADED_AT')}`,
    `m.${q('STAGE_FILE')} AS ${q('_STAGE_FILE')}`,
  ];
  const version = ['SOURCE_KEY', 'VERSION_ID', 'RECEIVED_AT'].map((c) => `v.${q(c)}`).join(', ');
  return (
    `manifests AS (\n  SELECT * FROM (\n    SELECT ${fields.join(',\n      ')}\n    FROM ${d.table(opsObjectNames(schemas).manifests)} AS m\n  ) AS v\n` +
    `  QUALIFY ROW_NUMBER() OVER (PARTITION BY ${version} ORDER BY v.${q('_LOADED_AT')}, v.${q('_STAGE_FILE')}) = 1\n)`
  );
}

const flag = (cond: string) => `CASE WHEN ${cond} THEN 1 ELSE 0 END`;

/**
 * Where a dataset's bronze rows can end: its silver (with its key) and rejects; for a split dataset its own
 * rejects (SPLIT_NO_TARGET) and, per target, the target's silver and rejects for the target's field values.
 */
interface Destination {
  readonly silver?: ObjectPath;
  readonly rejects: ObjectPath;
  readonly primaryKey: readonly ModelColumn[];
  /** A split target's values of the split field (its rows only). */
  readonly values?: readonly string[];
}

function destinations(model: DatasetModel, models: readonly DatasetModel[]): Destination[] {
  const own = { rejects: model.objects.rejects, primaryKey: [] };
  if (!model.split) return [{ ...own, silver: model.objects.silver, primaryKey: model.primaryKey }];
  const targets = models.filter((t) => t.splitFrom?.parent === model.spec.name);
  return [
    own,
    ...targets.map((t) => ({
      silver: t.objects.silver,
      rejects: t.objects.rejects,
      primaryKey: t.primaryKey,
      values: t.splitFrom?.values ?? [],
    })),
  ];
}

/**
 * Per-file outcome counts of one dataset: `SOURCE_KEY, RECEIVED_AT, ROWS_LOADED, ROWS_MERGED, …`. A bronze row
 * (one lineage) is merged when some destination's silver holds its lineage, rejected when not merged and some
 * destination's rejects keep it out of silver, superseded when neither and its key (in the destination its
 * split value routes it to) is in silver with another version. A split file's rows thus count across targets.
 */
function datasetFiles(model: DatasetModel, models: readonly DatasetModel[], d: Dialect): string {
  const dests = destinations(model, models);
  const lineage = ['SOURCE_KEY', 'RECEIVED_AT', 'SOURCE_ROW'];
  const splitValue = q('_SPLIT_VALUE');
  const keys = dests.flatMap((t, n) =>
    t.primaryKey.map((c, i) => `MIN(${typedValue(c, d, `b.${q('RECORD')}`)}) AS ${q(`_KEY_${n}_${i}`)}`),
  );
  if (model.split) keys.push(`MIN(${d.textAt(`b.${q('RECORD')}`, model.split.field.steps)}) AS ${splitValue}`);
  const rows =
    `SELECT ${lineage.map((c) => `b.${q(c)}`).join(', ')}, COUNT(*) AS ${q('LOADS')}${keys.map((k) => `, ${k}`).join('')}\n` +
    `      FROM ${d.table(model.objects.bronze)} AS b GROUP BY ${lineage.map((c) => `b.${q(c)}`).join(', ')}`;
  const rejected = `COALESCE(j.${q(REJECT_COLUMNS.rowRejected)}, TRUE)`;
  const rejectsByRow = (t: Destination) =>
    `SELECT ${lineage.map((c) => `j.${q(c)}`).join(', ')}, MAX(${flag(rejected)}) AS ${q('REJECTED')}, ` +
    `SUM(${flag(`j.${q(REJECT_COLUMNS.reason)} = ${d.literal(REJECT_REASONS.castFailed)}`)}) AS ${q('CAST_FAILURES')}\n` +
    `      FROM ${d.table(t.rejects)} AS j GROUP BY ${lineage.map((c) => `j.${q(c)}`).join(', ')}`;
  const on = (alias: string, prefix: string) =>
    lineage.map((c) => `${alias}.${q(`${prefix}${c}`)} = r.${q(c)}`).join(' AND ');
  const joins = dests.flatMap((t, n) => {
    const keyOn = [
      ...t.primaryKey.map((c, i) => `k${n}.${q(c.name)} = r.${q(`_KEY_${n}_${i}`)}`),
      ...(t.values ? [`r.${splitValue} IN (${t.values.map((v) => d.literal(v)).join(', ')})`] : []),
    ].join(' AND ');
    return [
      ...(t.silver ? [`LEFT JOIN ${d.table(t.silver)} AS s${n} ON ${on(`s${n}`, '_')}`] : []),
      `LEFT JOIN (\n      ${rejectsByRow(t)}\n    ) AS j${n} ON ${on(`j${n}`, '')}`,
      ...(t.silver && t.primaryKey.length ? [`LEFT JOIN ${d.table(t.silver)} AS k${n} ON ${keyOn}`] : []),
    ];
  });
  const any = (conds: string[]) => (conds.length ? `(${conds.join(' OR ')})` : 'FALSE');
  const merged = any(dests.flatMap((t, n) => (t.silver ? [`s${n}.${q('_SOURCE_KEY')} IS NOT NULL`] : [])));
  const inRejects = any(dests.map((_, n) => `COALESCE(j${n}.${q('REJECTED')}, 0) = 1`));
  const keyInSilver = any(
    dests.flatMap((t, n) => (t.silver && t.primaryKey.length ? [`k${n}.${q('_SOURCE_KEY')} IS NOT NULL`] : [])),
  );
  const castFailures = dests.map((_, n) => `COALESCE(j${n}.${q('CAST_FAILURES')}, 0)`).join(' + ');
  return (
    `SELECT ${d.literal(model.spec.name)} AS ${q('DATASET')}, r.${q('SOURCE_KEY')}, r.${q('RECEIVED_AT')},\n` +
    `      SUM(r.${q('LOADS')}) AS ${q('ROWS_LOADED')},\n` +
    `      SUM(${flag(merged)}) AS ${q('ROWS_MERGED')},\n` +
    `      SUM(${flag(`NOT ${merged} AND NOT ${inRejects} AND ${keyInSilver}`)}) AS ${q('ROWS_SUPERSEDED')},\n` +
    `      SUM(${flag(`NOT ${merged} AND ${inRejects}`)}) AS ${q('ROWS_REJECTED')},\n` +
    `      SUM(${castFailures}) AS ${q('CAST_FAILURES')}\n` +
    `    FROM (\n      ${rows}\n    ) AS r\n    ` +
    joins.join('\n    ') +
    `\n    GROUP BY r.${q('SOURCE_KEY')}, r.${q('RECEIVED_AT')}`
  );
}

/** No dataset: an empty relation with the same columns. */
function noFiles(d: Dialect): string {
  const n = `CAST(0 AS ${d.columnType(COUNT)})`;
  return (
    `SELECT CAST(NULL AS VARCHAR) AS ${q('DATASET')}, CAST(NULL AS VARCHAR) AS ${q('SOURCE_KEY')}, ` +
    `CAST(NULL AS ${d.columnType(TS_TZ)}) AS ${q('RECEIVED_AT')}, ` +
    ['ROWS_LOADED', 'ROWS_MERGED', 'ROWS_SUPERSEDED', 'ROWS_REJECTED', 'CAST_FAILURES']
      .map((c) => `${n} AS ${q(c)}`)
      .join(', ') +
    ` WHERE 1 = 0`
  );
}

/** The query of `OPS.FILE_LEDGER`: LEDGER_COLUMNS, one row per input object version with a manifest. */
export function ledgerViewQuery(models: readonly DatasetModel[], schemas: SchemaNames, d: Dialect): string {
  // A split target has no files of its own (no pipe): its rows are counted under the split dataset's files.
  const owners = models.filter((m) => !m.splitFrom);
  const files = owners.length
    ? owners.map((m) => datasetFiles(m, models, d)).join('\n    UNION ALL\n    ')
    : noFiles(d);
  const count = (c: string) => `COALESCE(f.${q(c)}, 0)`;
  const size = (v: string) => `COALESCE(${d.arraySize(v)}, 0)`;
  const drift = (key: string) => size(d.valueAt(`v.${q('DRIFT')}`, [{ key }]));
  const hasReport = `${size(`v.${q('QUARANTINE_OBJECTS')}`)} > 0`;
  const accounted =
    `CASE v.${q('STATUS')} WHEN 'superseded' THEN TRUE WHEN 'quarantined' THEN ${hasReport} ` +
    `WHEN 'staged' THEN COALESCE(v.${q('ROWS_IN')} = ${count('ROWS_MERGED')} + ${count('ROWS_SUPERSEDED')} + ` +
    `${count('ROWS_REJECTED')} + v.${q('ROWS_QUARANTINED')} AND (v.${q('ROWS_QUARANTINED')} = 0 OR ${hasReport}), FALSE) ` +
    `ELSE FALSE END`;
  const select: Record<(typeof LEDGER_COLUMNS)[number], string> = {
    SOURCE_KEY: `v.${q('SOURCE_KEY')}`,
    VERSION_ID: `v.${q('VERSION_ID')}`,
    SOURCE: `v.${q('SOURCE')}`,
    DATASET: `v.${q('DATASET')}`,
    RECEIVED_AT: `v.${q('RECEIVED_AT')}`,
    STATUS: `v.${q('STATUS')}`,
    REASON: `v.${q('REASON')}`,
    ROWS_IN: `v.${q('ROWS_IN')}`,
    ROWS_STAGED: `v.${q('ROWS_STAGED')}`,
    ROWS_QUARANTINED: `v.${q('ROWS_QUARANTINED')}`,
    ROWS_LOADED: count('ROWS_LOADED'),
    ROWS_MERGED: count('ROWS_MERGED'),
    ROWS_SUPERSEDED: count('ROWS_SUPERSEDED'),
    ROWS_REJECTED: count('ROWS_REJECTED'),
    CAST_FAILURES: count('CAST_FAILURES'),
    DRIFT: `v.${q('DRIFT')}`,
    DRIFT_DETECTED: `(${drift('missing_paths')} + ${drift('unknown_keys')} + ${drift('case_mismatches')}) > 0`,
    QUARANTINE_OBJECTS: `v.${q('QUARANTINE_OBJECTS')}`,
    ACCOUNTED: accounted,
  };
  const join = ['DATASET', 'SOURCE_KEY', 'RECEIVED_AT'].map((c) => `f.${q(c)} = v.${q(c)}`).join(' AND ');
  return (
    `WITH ${manifestsCte(schemas, d)},\n` +
    `files AS (\n    ${files}\n)\n` +
    `SELECT ${LEDGER_COLUMNS.map((c) => `${select[c]} AS ${q(c)}`).join(',\n  ')}\n` +
    `FROM manifests AS v\nLEFT JOIN files AS f ON ${join}`
  );
}

/** `CREATE OR REPLACE VIEW OPS.FILE_LEDGER` (a view holds no data) in the given dialect. */
export function createLedgerViewStatement(models: readonly DatasetModel[], schemas: SchemaNames, d: Dialect): string {
  return `CREATE OR REPLACE VIEW ${d.table(opsObjectNames(schemas).ledger)} AS\n${ledgerViewQuery(models, schemas, d)}`;
}
