/**
 * The derived models' objects through the real provisioner handler and snowflake-sdk against the
 * Snowflake-protocol test server: split targets (streams on the split dataset's bronze, no pipe),
 * entity tables and refresh tasks, vault hubs / satellites, the vault stream and load task, warehouse
 * and mart views and the layer roles — create, no-op update (no DDL), update, delete.
 */
import type { DatasetSpec, VaultSpec } from '../../../contracts/config';
import type { IngestionObject } from '../../../snowflake/ingestion-objects';
import { useDeployment } from './deployment';
import { testObjects } from './objects';

const FLEET: DatasetSpec = {
  name: 'fleet',
  format: 'ndjson',
  columns: [{ name: 'on', type: 'VARCHAR' }],
  split: { field: 'on', into: { vehicle: 'vehicles' } },
};
const VEHICLES: DatasetSpec = {
  name: 'vehicles',
  format: 'ndjson',
  columns: [
    { name: 'vehicle_id', type: 'VARCHAR', path: 'data.id' },
    { name: 'at', type: 'TIMESTAMP_TZ' },
  ],
  primaryKey: ['vehicle_id', 'at'],
  entities: [{ name: 'vehicle_list', key: ['vehicle_id'], seenBy: 'at' }],
};
const ORDERS: DatasetSpec = {
  name: 'orders',
  format: 'json',
  columns: [
    { name: 'order_id', type: 'VARCHAR' },
    { name: 'total', type: 'NUMBER(10,2)' },
  ],
  primaryKey: ['order_id'],
};
const vault = (attributes = [{ name: 'total', type: 'NUMBER(10,2)' }]): VaultSpec => ({
  hubs: [{ name: 'order', businessKey: [{ name: 'order_id', type: 'VARCHAR' }] }],
  satellites: [{ name: 'order_details', parent: 'order', attributes }],
  loads: [{ dataset: 'orders', hubs: ['order'], satellites: ['order_details'], paths: { currency: 'currency' } }],
});
const MART = [
  {
    name: 'order_count',
    file: '/p/snowflake/mart/order_count.sql',
    sql: 'SELECT COUNT(*) AS n FROM warehouse.dim_order',
  },
];
const DATASETS = [FLEET, VEHICLES, ORDERS];

function build(v = vault(), mart = MART) {
  return testObjects(DATASETS, {
    dataModel: { datasets: DATASETS, vault: v, layerViews: { warehouse: [], mart }, readerRole: null },
  });
}

let objects = build();
const deployment = useDeployment(() => objects.values());
const run = (type: 'Create' | 'Update' | 'Delete', o: IngestionObject, extra: Record<string, unknown> = {}) =>
  deployment.send(type, o, { extra });

test('GIVEN the objects created THEN split targets read the split bronze, entity and vault loads are children of their MERGE, roles read their layer', () => {
  const c = deployment.h.snowflake.catalog;
  expect(objects.has('VehiclesPipe') || objects.has('VehiclesBronze')).toBe(false);
  expect(c.model.streams.get('INGEST_TEST.RAW.VEHICLES_STREAM')).toMatchObject({ table: 'INGEST_TEST.RAW.FLEET' });
  expect(c.tables.has('INGEST_TEST.CORE.FLEET_REJECTS') && !c.tables.has('INGEST_TEST.CORE.FLEET')).toBe(true);
  expect(c.tables.has('INGEST_TEST.CORE.VEHICLE_LIST')).toBe(true);
  expect(c.tables.has('INGEST_TEST.VAULT.HUB_ORDER') && c.tables.has('INGEST_TEST.VAULT.SAT_ORDER_DETAILS')).toBe(true);
  expect(c.model.tasks.get('INGEST_TEST.CORE.VEHICLE_LIST_REFRESH')).toMatchObject({
    state: 'started',
    predecessors: ['INGEST_TEST.CORE.VEHICLES_MERGE'],
  });
  expect(c.model.tasks.get('INGEST_TEST.VAULT.ORDERS_LOAD')).toMatchObject({
    state: 'started',
    predecessors: ['INGEST_TEST.CORE.ORDERS_MERGE'],
  });
  expect(c.model.tasks.get('INGEST_TEST.VAULT.ORDERS_LOAD')?.definition ?? '').toContain('INSERT ALL');
  expect([...c.model.grants].filter((g) => g.endsWith('_DATA_SCIENCE')).sort()).toEqual([
    'SELECT|VIEW|INGEST_TEST.MART.ORDER_COUNT|INGEST_TEST_DATA_SCIENCE',
    'USAGE|DATABASE|INGEST_TEST|INGEST_TEST_DATA_SCIENCE',
    'USAGE|SCHEMA|INGEST_TEST.MART|INGEST_TEST_DATA_SCIENCE',
  ]);
  // One read role per layer: the vault reader selects the vault's tables (hub and satellite) and nothing else.
  expect([...c.model.grants].filter((g) => g.endsWith('|INGEST_TEST_VAULT_READER')).sort()).toEqual([
    'SELECT|TABLE|INGEST_TEST.VAULT.HUB_ORDER|INGEST_TEST_VAULT_READER',
    'SELECT|TABLE|INGEST_TEST.VAULT.SAT_ORDER_DETAILS|INGEST_TEST_VAULT_READER',
    'USAGE|DATABASE|INGEST_TEST|INGEST_TEST_VAULT_READER',
    'USAGE|SCHEMA|INGEST_TEST.VAULT|INGEST_TEST_VAULT_READER',
  ]);
  expect([...c.model.futureGrants].filter((g) => g.endsWith('|INGEST_TEST_VAULT_READER'))).toEqual([
    'SELECT|TABLE|INGEST_TEST.VAULT|INGEST_TEST_VAULT_READER',
  ]);
  expect(
    [...c.model.grants]
      .filter((g) => g.endsWith('_READER') && g.includes('.VAULT'))
      .every((g) => g.endsWith('_VAULT_READER')),
  ).toBe(true);
});

test('WHEN a vault table is added after the vault reader exists THEN the future grant covers it and the role update is a no-op', async () => {
  objects = build({
    ...vault(),
    hubs: [
      { name: 'order', businessKey: [{ name: 'order_id', type: 'VARCHAR' }] },
      { name: 'currency', businessKey: [{ name: 'currency', type: 'VARCHAR' }] },
    ],
  });
  expect((await run('Create', objects.get('VaultHubCurrency')!)).Data.ChangeKind).toBe('create');
  deployment.h.snowflake.clearLog();
  const role = objects.get('IngestTestVaultReaderRole')!;
  expect((await run('Update', role)).Data.ChangeKind).toBe('no-op');
  expect(deployment.h.snowflake.ddl).toEqual([]);
  expect(
    deployment.h.snowflake.catalog.model.grants.has(
      'SELECT|TABLE|INGEST_TEST.VAULT.HUB_CURRENCY|INGEST_TEST_VAULT_READER',
    ),
  ).toBe(true);
  // A role that lost a table grant (revoked outside) gets the ALL TABLES grant back.
  deployment.h.snowflake.catalog.model.grants.delete(
    'SELECT|TABLE|INGEST_TEST.VAULT.HUB_ORDER|INGEST_TEST_VAULT_READER',
  );
  expect((await run('Update', role)).Data.ChangeKind).toBe('alter');
  expect(deployment.h.snowflake.ddl).toEqual([
    'GRANT SELECT ON ALL TABLES IN SCHEMA "INGEST_TEST"."VAULT" TO ROLE "INGEST_TEST_VAULT_READER"',
  ]);
  objects = build();
});

test('WHEN every object is updated unchanged THEN no DDL runs', async () => {
  for (const o of objects.values()) {
    const out = await run('Update', o);
    expect({ id: o.id, change: out.Data.ChangeKind }).toEqual({ id: o.id, change: 'no-op' });
  }
  expect(deployment.h.snowflake.ddl).toEqual([]);
});

test('WHEN a satellite attribute is added THEN the table gets the column and the load task is altered inside its suspended graph', async () => {
  objects = build(
    vault([
      { name: 'total', type: 'NUMBER(10,2)' },
      { name: 'currency', type: 'VARCHAR' },
    ]),
  );
  await run('Update', objects.get('VaultSatOrderDetails')!);
  expect(deployment.h.snowflake.ddl).toEqual([
    'ALTER TABLE "INGEST_TEST"."VAULT"."SAT_ORDER_DETAILS" ADD COLUMN "CURRENCY" VARCHAR',
  ]);
  deployment.h.snowflake.clearLog();
  const out = await run('Update', objects.get('OrdersVaultLoadTask')!);
  expect(out.Data.ChangeKind).toBe('alter');
  // Root suspended, then the child (Snowflake requires it), altered in place (never CREATE OR ALTER), resumed
  // child before root.
  const ddl = deployment.h.snowflake.ddl.map((s) => s.split('\n')[0]);
  expect(ddl.slice(0, 2)).toEqual([
    'ALTER TASK "INGEST_TEST"."CORE"."ORDERS_MERGE" SUSPEND',
    'ALTER TASK "INGEST_TEST"."VAULT"."ORDERS_LOAD" SUSPEND',
  ]);
  expect(ddl.slice(-2)).toEqual([
    'ALTER TASK "INGEST_TEST"."VAULT"."ORDERS_LOAD" RESUME',
    'ALTER TASK "INGEST_TEST"."CORE"."ORDERS_MERGE" RESUME',
  ]);
  expect(ddl.filter((s) => /CREATE OR ALTER/.test(s))).toEqual([]);
  const modify = deployment.h.snowflake.ddl.find((s) =>
    s.startsWith('ALTER TASK "INGEST_TEST"."VAULT"."ORDERS_LOAD" MODIFY AS'),
  );
  expect(modify).toContain('"CURRENCY"');
});

test('WHEN a mart view query changes THEN it is replaced keeping its grants: the data-science role still reads it', async () => {
  objects = build(vault(), [{ ...MART[0]!, sql: 'SELECT COUNT(DISTINCT order_id) AS n FROM warehouse.dim_order' }]);
  const out = await run('Update', objects.get('MartOrderCountView')!);
  expect(out.Data.ChangeKind).toBe('replace');
  expect(deployment.h.snowflake.ddl.map((s) => s.split('\n')[0])).toEqual([
    expect.stringMatching(/^CREATE OR REPLACE VIEW "INGEST_TEST"\."MART"\."ORDER_COUNT" COPY GRANTS /),
  ]);
  expect(
    deployment.h.snowflake.catalog.model.grants.has(
      'SELECT|VIEW|INGEST_TEST.MART.ORDER_COUNT|INGEST_TEST_DATA_SCIENCE',
    ),
  ).toBe(true);
  expect((await run('Update', objects.get('IngestTestDataScienceRole')!)).Data.ChangeKind).toBe('no-op');
  objects = build();
});

test('WHEN deleted under destroy THEN tasks, streams, views, roles and tables are dropped', async () => {
  const ids = [
    'OrdersVaultLoadTask',
    'OrdersVaultStream',
    'VehicleListRefreshTask',
    'MartOrderCountView',
    'IngestTestDataScienceRole',
    'IngestTestVaultReaderRole',
    'VaultSatOrderDetails',
    'VehicleListEntity',
  ];
  for (const id of ids) {
    const out = await run('Delete', objects.get(id)!, { removalPolicy: 'destroy' });
    expect({ id, change: out.Data.ChangeKind }).toEqual({ id, change: 'drop' });
  }
  const c = deployment.h.snowflake.catalog;
  expect(
    c.model.tasks.has('INGEST_TEST.VAULT.ORDERS_LOAD') || c.model.tasks.has('INGEST_TEST.CORE.VEHICLE_LIST_REFRESH'),
  ).toBe(false);
  expect(c.tables.has('INGEST_TEST.VAULT.SAT_ORDER_DETAILS') || c.tables.has('INGEST_TEST.CORE.VEHICLE_LIST')).toBe(
    false,
  );
  expect(c.model.tasks.get('INGEST_TEST.CORE.ORDERS_MERGE')?.state).toBe('started');
});
