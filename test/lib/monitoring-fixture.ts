/**
 * The pipeline monitoring the Snowflake-side monitoring constructs (health monitor, pipe refresher,
 * Snowflake errors topic) are tested against, and the assertions on a scheduled Snowflake function.
 */
import type { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { PipelineMonitoring, type AlarmsSpec } from '../../lib/monitoring/pipeline-monitoring';

/**
 * The pipeline's monitoring in `stack` (id `Monitoring`, environment `dev`): an inbound queue with its
 * dead-letter queue (both SSL-only) and an imported parser function, with `alarms`.
 */
export function testPipelineMonitoring(stack: Stack, alarms?: AlarmsSpec): PipelineMonitoring {
  const dlq = new sqs.Queue(stack, 'Dlq', { enforceSSL: true });
  const queue = new sqs.Queue(stack, 'Inbound', {
    enforceSSL: true,
    deadLetterQueue: { queue: dlq, maxReceiveCount: 5 },
  });
  return new PipelineMonitoring(stack, 'Monitoring', {
    environmentName: 'dev',
    namePrefix: 'ingest-dev',
    inboundQueue: queue,
    deadLetterQueue: dlq,
    parserFunction: lambda.Function.fromFunctionName(stack, 'Parser', 'parser'),
    ...(alarms ? { alarms } : {}),
  });
}

/** THEN an IAM policy lets the function read (only get and describe) the key secret `secretArn`. */
export function expectSecretReadGrant(template: Template, secretArn: string): void {
  template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          Resource: secretArn,
        }),
      ]),
    },
  });
}

/**
 * THEN an enabled EventBridge rule invokes the function `functionLogicalId` as its only target on
 * `scheduleExpression`, without retries, dropping events older than `maxEventAgeSeconds`.
 */
export function expectScheduleRule(
  template: Template,
  functionLogicalId: string,
  scheduleExpression: string,
  maxEventAgeSeconds: number,
): void {
  template.hasResourceProperties('AWS::Events::Rule', {
    ScheduleExpression: scheduleExpression,
    State: 'ENABLED',
    Targets: [
      Match.objectLike({
        Arn: { 'Fn::GetAtt': [functionLogicalId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: maxEventAgeSeconds },
      }),
    ],
  });
}
