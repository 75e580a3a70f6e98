/**
 * The deployed entry point end to end: environment read at init, key from the Secrets Manager test
 * server, JWT login to the Snowflake-protocol server, one REFRESH per dataset and date prefix (its data pipe,
 * then the manifests pipe), and the EMF metrics it publishes (per dataset, totals, heartbeat).
 */
import { pipeKind } from '../../../snowflake/kinds/pipe';
import { manifestsPipeDefinition } from '../../../snowflake/model/ledger';
import { schemaNames } from '../../../snowflake/names';
import { startHarness } from '../snowflake-provisioner/harness';
import type { Harness } from '../snowflake-provisioner/harness';
import { captureEmfLines } from '../../support/emf';

const today = new Date().toISOString().slice(0, 10);
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

describe('pipe refresher handler', () => {
  const saved = { ...process.env };
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
    h.snowflake.catalog.putRunningPipe(
      pipeKind.schema.parse({
        database: 'INGEST',
        schema: 'RAW',
        name: 'ORDERS_PIPE',
        table: 'INGEST.RAW.ORDERS',
        stage: 'INGEST.RAW.PIPELINE_STAGE',
        path: 'data/orders/',
        fileFormat: 'INGEST.RAW.STAGE_NDJSON_GZ',
      }),
    );
    h.snowflake.catalog.putRunningPipe(manifestsPipeDefinition(schemaNames('INGEST')));
    h.snowflake.catalog.stagedFiles.push(
      { path: `manifests/orders/${today}/alpha/missed-1.manifest.json.gz`, lastModified: new Date() },
      { path: `data/orders/${today}/alpha/missed-1.ndjson.gz`, lastModified: new Date() },
      { path: `data/orders/${yesterday}/alpha/missed-2.ndjson.gz`, lastModified: new Date(Date.now() - 3_600_000) },
    );
    Object.assign(process.env, {
      PIPELINE_ENVIRONMENT: 'dev',
      SNOWFLAKE_CONNECTION: JSON.stringify(h.connection),
      SNOWFLAKE_SCHEMAS: JSON.stringify({ database: 'INGEST' }),
      // `events` has no pipe: its refreshes fail and are counted, the run completes.
      PIPE_REFRESHER_DATASETS: 'orders,events',
    });
  });

  afterAll(async () => {
    process.env = saved;
    await h.stop();
  });

  test('GIVEN a scheduled invocation THEN it refreshes each pipe over today and yesterday and publishes files queued, failures and the heartbeat', async () => {
    const { result, lines } = await captureEmfLines(async () => {
      const { handler } = await import('../../../lambda/pipe-refresher/index');
      return handler();
    });
    expect(result).toEqual({ datasets: 2, filesQueued: 2, manifestsQueued: 1, failures: 2 });
    expect(h.snowflake.logins).toEqual([{ account: 'TESTORG-TEST', user: 'PROVISIONER', ok: true }]);
    expect(h.snowflake.statements).toEqual([
      `ALTER PIPE "INGEST"."RAW"."ORDERS_PIPE" REFRESH PREFIX = '${today}/'`,
      `ALTER PIPE "INGEST"."RAW"."ORDERS_PIPE" REFRESH PREFIX = '${yesterday}/'`,
      `ALTER PIPE "INGEST"."OPS"."FILE_MANIFESTS_PIPE" REFRESH PREFIX = 'orders/${today}/'`,
      `ALTER PIPE "INGEST"."OPS"."FILE_MANIFESTS_PIPE" REFRESH PREFIX = 'orders/${yesterday}/'`,
      `ALTER PIPE "INGEST"."RAW"."EVENTS_PIPE" REFRESH PREFIX = '${today}/'`,
      `ALTER PIPE "INGEST"."RAW"."EVENTS_PIPE" REFRESH PREFIX = '${yesterday}/'`,
      `ALTER PIPE "INGEST"."OPS"."FILE_MANIFESTS_PIPE" REFRESH PREFIX = 'events/${today}/'`,
      `ALTER PIPE "INGEST"."OPS"."FILE_MANIFESTS_PIPE" REFRESH PREFIX = 'events/${yesterday}/'`,
    ]);
    const metrics = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const common = { service: 'pipe-refresher', environment: 'dev' };
    const perDataset = metrics
      .filter((m) => 'dataset' in m)
      .map(({ _aws, ...point }) => ({
        ...point,
        dimensions: (_aws as { CloudWatchMetrics: { Dimensions: string[][] }[] }).CloudWatchMetrics[0].Dimensions,
      }));
    const dimensions = [['service', 'environment', 'dataset']];
    expect(perDataset).toEqual([
      { ...common, dataset: 'orders', RefreshFilesQueued: 2, dimensions },
      { ...common, dataset: 'orders', RefreshManifestsQueued: 1, dimensions },
      { ...common, dataset: 'orders', RefreshFailures: 0, dimensions },
      { ...common, dataset: 'events', RefreshFilesQueued: 0, dimensions },
      { ...common, dataset: 'events', RefreshManifestsQueued: 0, dimensions },
      { ...common, dataset: 'events', RefreshFailures: 2, dimensions },
    ]);
    // Totals (service, environment) are published once per run: the alarms' metrics are not double counted.
    expect(metrics.filter((m) => !('dataset' in m))).toHaveLength(1);
    const totals = metrics.find((m) => 'RefresherRuns' in m)!;
    expect(totals).toMatchObject({
      ...common,
      RefresherRuns: 1,
      RefreshFilesQueued: 2,
      RefreshManifestsQueued: 1,
      RefreshFailures: 2,
    });
    expect(totals).not.toHaveProperty('dataset');
    expect((totals._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics[0].Namespace).toBe(
      'S3SnowflakePipeline',
    );
  });
});
