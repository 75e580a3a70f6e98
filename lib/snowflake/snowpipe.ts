import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { z } from 'zod';
import type { Construct } from 'constructs';
import type { pipeDefinition } from '../../snowflake/kinds/pipe';
import { SnowflakeObject } from './snowflake-object';
import type { SnowflakeObjectCommonProps } from './snowflake-object';

export interface SnowpipeProps extends SnowflakeObjectCommonProps {
  /**
   * `{ database, schema, name, table, stage, path: 'data/<dataset>/', fileFormat, columns?, errorIntegration?, comment? }`
   * (`columns`: the COPY's target column list, default BRONZE_COLUMNS; see snowflake/kinds/pipe.ts).
   */
  readonly definition: z.input<typeof pipeDefinition>;
  /**
   * Bucket behind the stage: gets an ObjectCreated notification for `definition.path` to the pipe's
   * notification channel. @default no notification (wire it yourself from `notificationChannel`)
   */
  readonly stageBucket?: s3.IBucket;
}

/**
 * An AUTO_INGEST pipe. A COPY change is applied by Snowflake's procedure (pause, drain, recreate,
 * resume, refresh); comment / error-integration changes by ALTER. Never CREATE OR REPLACEd running.
 */
export class Snowpipe extends SnowflakeObject {
  /** ARN of Snowflake's SQS queue for this pipe (SHOW PIPES notification_channel). */
  readonly notificationChannel: string;

  constructor(scope: Construct, id: string, props: SnowpipeProps) {
    super(scope, id, { ...props, kind: 'pipe' });
    this.notificationChannel = this.attribute('NotificationChannel');
    if (props.stageBucket) {
      const queue = sqs.Queue.fromQueueArn(this, 'NotificationChannel', this.notificationChannel);
      props.stageBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(queue), {
        prefix: props.definition.path,
      });
    }
  }
}
