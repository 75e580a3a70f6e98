/** The README's minimal use of the L3 construct, shared by the construct, template-check and package tests. */
import { RemovalPolicy } from 'aws-cdk-lib';
import type { S3SnowflakePipelineProps } from '../../lib/s3-snowflake-pipeline';

/** A minimal use, as in the README: one source, one dataset, a Snowflake account. */
export function minimalPipelineProps(overrides: Partial<S3SnowflakePipelineProps> = {}): S3SnowflakePipelineProps {
  return {
    project: 'shop',
    environmentName: 'dev',
    sources: [{ name: 'erp', principals: ['444444444444'] }],
    datasets: [
      {
        name: 'orders',
        format: 'csv',
        columns: [
          { name: 'order_id', type: 'NUMBER(38,0)' },
          { name: 'amount', type: 'NUMBER(12,2)' },
        ],
        primaryKey: ['order_id'],
      },
    ],
    snowflake: {
      account: 'ORG-ACCT',
      user: 'PIPELINE',
      role: 'PIPELINE_ADMIN',
      warehouse: 'LOAD_WH',
      database: 'SHOP',
      privateKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:shop-key-AbCdEf',
    },
    removalPolicy: RemovalPolicy.DESTROY,
    ...overrides,
  };
}
