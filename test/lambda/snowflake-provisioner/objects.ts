/** Definitions of one test environment, from the same pure builder the CDK composition uses. */
import { ingestionObjects } from '../../../snowflake/ingestion-objects';
import type { IngestionObject, IngestionObjectsInput } from '../../../snowflake/ingestion-objects';

export const BUCKET = 'ingest-test-stage';
export const ROLE_ARN = 'arn:aws:iam::111111111111:role/ingest-test-snowflake-s3';

/** The objects of the `test` environment (database INGEST_TEST) for `datasets`, plus `extra` input, by id. */
export function testObjects(
  datasets: IngestionObjectsInput['datasets'] = [{ name: 'orders' }],
  extra: Pick<IngestionObjectsInput, 'dataModel' | 'errorNotifications'> = {},
): Map<string, IngestionObject> {
  const list = ingestionObjects({
    project: 'ingest',
    environment: 'test',
    database: 'INGEST_TEST',
    stageBucketName: BUCKET,
    roleArn: ROLE_ARN,
    externalId: 'ingest:test:snowflake-s3',
    datasets,
    ...extra,
  });
  return new Map(list.map((o) => [o.id, o]));
}

export function props(connection: Record<string, string>, o: IngestionObject, extra: Record<string, unknown> = {}) {
  return {
    kind: o.kind,
    connection,
    definition: o.definition,
    adopt: o.adopt ?? false,
    removalPolicy: 'retain',
    ...extra,
  };
}
