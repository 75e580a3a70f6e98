/** Definitions of one test environment, from the same pure builder the CDK composition uses. */
import { ingestionObjects } from '../../../snowflake/ingestion-objects';
import type { IngestionObject } from '../../../snowflake/ingestion-objects';

export const BUCKET = 'ingest-test-stage';
export const ROLE_ARN = 'arn:aws:iam::111111111111:role/ingest-test-snowflake-s3';

export function testObjects(datasets = [{ name: 'orders' }]): Map<string, IngestionObject> {
  const list = ingestionObjects({
    project: 'ingest',
    environment: 'test',
    database: 'INGEST_TEST',
    stageBucketName: BUCKET,
    roleArn: ROLE_ARN,
    externalId: 'ingest:test:snowflake-s3',
    datasets,
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
