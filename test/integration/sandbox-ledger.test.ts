/**
 * The sandbox warehouse's file ledger against a real local S3 (s3rver) and DuckDB file: stage files go
 * through the emulated pipe and MERGE, manifests under `manifests/` through the emulated manifests pipe
 * (each loaded once), and the totals are read from OPS.FILE_LEDGER. Expected numbers are worked out by hand.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { gzipSync } from 'zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { FileManifest } from '../../contracts/file-manifest';
import { FILE_MANIFEST_VERSION } from '../../contracts/file-manifest';
import { parseDatasets } from '../../contracts/config';
import { schemaNames } from '../../snowflake/names';
import { createLedgerObjects, ledgerRows, ledgerTotals, loadManifests } from '../../bin/sandbox/ledger';
import { startLocalS3 } from '../../bin/sandbox/s3-server';
import type { LocalS3 } from '../../bin/sandbox/s3-server';
import { Warehouse } from '../../bin/sandbox/warehouse';

const STAGE = 'ledger-stage';
const T1 = '2026-03-01T10:00:00.000Z';
const T2 = '2026-03-02T10:00:00.000Z';

const datasets = parseDatasets([
  {
    name: 'orders',
    format: 'csv',
    columns: [
      { name: 'id', type: 'NUMBER(38,0)' },
      { name: 'price', type: 'NUMBER(12,2)' },
    ],
    primaryKey: ['id'],
  },
  { name: 'empty', format: 'ndjson', columns: [{ name: 'v', type: 'VARCHAR' }] },
]);

let dir: string;
let s3: LocalS3;
let warehouse: Warehouse;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sandbox-ledger-'));
  s3 = await startLocalS3(join(dir, 's3'), [STAGE]);
  warehouse = await Warehouse.open(join(dir, 'warehouse.duckdb'), datasets, schemaNames('SANDBOX_DB'));
  await createLedgerObjects(warehouse);
});
afterEach(async () => {
  warehouse.close();
  await s3.stop();
  rmSync(dir, { recursive: true, force: true });
});

const put = (key: string, body: Uint8Array) =>
  s3.client.send(new PutObjectCommand({ Bucket: STAGE, Key: key, Body: body }));

const stageLines = (sourceKey: string, receivedAt: string, records: Record<string, string>[]) =>
  gzipSync(
    records
      .map((record, i) =>
        JSON.stringify({ source: 'shop', source_key: sourceKey, source_row: i + 1, received_at: receivedAt, record }),
      )
      .join('\n'),
  );

function manifest(m: Partial<FileManifest> & Pick<FileManifest, 'source_key' | 'received_at'>): FileManifest {
  return {
    manifest_version: FILE_MANIFEST_VERSION,
    source: 'shop',
    dataset: 'orders',
    version_id: null,
    status: 'staged',
    reason: null,
    rows_in: 0,
    rows_staged: 0,
    rows_quarantined: 0,
    stage_objects: [],
    quarantine_objects: [],
    drift: { missing_paths: [], unknown_keys: [], case_mismatches: [] },
    ...m,
  };
}

test('GIVEN stage files and manifests in the stage bucket WHEN ingested twice THEN each manifest loads once and the totals count every row in one outcome', async () => {
  await warehouse.loadStageFile(
    'data/orders/a.ndjson.gz',
    'e1',
    stageLines('shop/orders/a.csv', T1, [
      { id: '1', price: '10' },
      { id: '2', price: '$150' },
    ]),
  );
  await warehouse.loadStageFile(
    'data/orders/b.ndjson.gz',
    'e2',
    stageLines('shop/orders/b.csv', T2, [{ id: '1', price: '12' }]),
  );
  await warehouse.runTasks();
  await put(
    'manifests/a.json.gz',
    gzipSync(
      JSON.stringify(
        manifest({
          source_key: 'shop/orders/a.csv',
          received_at: T1,
          rows_in: 3,
          rows_staged: 2,
          rows_quarantined: 1,
          quarantine_objects: ['quarantine/a.json'],
        }),
      ),
    ),
  );
  await put(
    'manifests/b.json.gz',
    gzipSync(
      JSON.stringify(
        manifest({
          source_key: 'shop/orders/b.csv',
          received_at: T2,
          rows_in: 1,
          rows_staged: 1,
          drift: { missing_paths: [], unknown_keys: [], case_mismatches: [{ path: 'id', seen: 'ID' }] },
        }),
      ),
    ),
  );
  await put(
    'manifests/c.json.gz',
    gzipSync(
      JSON.stringify(
        manifest({
          source_key: 'shop/orders/c.csv.gz',
          received_at: T2,
          status: 'quarantined',
          reason: 'CORRUPT_COMPRESSION',
          rows_in: 7, // read before the corruption; the whole file is quarantined, none staged
        }),
      ),
    ),
  );
  await put('manifests/broken.json.gz', Buffer.from('not gzip'));

  const first = await loadManifests(s3.client, STAGE, warehouse);
  expect(first.map((l) => [l.manifestFile, l.status])).toEqual([
    ['manifests/a.json.gz', 'loaded'],
    ['manifests/b.json.gz', 'loaded'],
    ['manifests/broken.json.gz', 'failed'],
    ['manifests/c.json.gz', 'loaded'],
  ]);
  expect(first[2]).toMatchObject({
    error: expect.stringMatching(/^cannot load manifest manifests\/broken\.json\.gz: /),
  });
  expect(await loadManifests(s3.client, STAGE, warehouse)).toEqual([]);

  // a.csv: row 1 superseded by b.csv, row 2 merged with a CAST_FAILED price, 1 quarantined with its report → 3 = 3.
  // b.csv: merged. c.csv.gz: quarantined without a report → not accounted; its 7 rows read are in no row outcome.
  expect(await ledgerTotals(warehouse)).toEqual({
    files: 3,
    accounted: 2,
    notAccounted: [{ source_key: 'shop/orders/c.csv.gz', status: 'quarantined', reason: 'CORRUPT_COMPRESSION' }],
    rows: {
      in: 3 + 1 + 7,
      inQuarantinedFiles: 7,
      staged: 3,
      quarantined: 1,
      loaded: 3,
      merged: 2,
      superseded: 1,
      rejected: 0,
    },
    castFailures: 1,
    filesWithDrift: 1,
  });
  const rows = await ledgerRows(warehouse);
  expect(rows.find((r) => r.source_key === 'shop/orders/b.csv')?.drift).toEqual({
    missing_paths: [],
    unknown_keys: [],
    case_mismatches: [{ path: 'id', seen: 'ID' }],
  });
});
