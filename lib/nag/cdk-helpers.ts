import type { Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as cr from 'aws-cdk-lib/custom-resources';
import type { IConstruct } from 'constructs';
import { acknowledge, arnFinding } from './acknowledge';

/** AWS-managed policy CDK attaches to its helper functions' roles (CloudWatch Logs only). */
const BASIC_EXECUTION_ROLE = 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

/**
 * Targeted acknowledgements for the functions CDK itself adds to a stack (never for project code):
 * - `BucketNotificationsHandler…`: the singleton behind `bucket.addEventNotification`; its role carries
 *   the AWS-managed basic execution policy (its s3:PutBucketNotification grant is already bucket-scoped).
 *
 * Call once, after every construct of the stack exists.
 */
export function acknowledgeCdkHelpers(stack: Stack): void {
  for (const child of stack.node.children) {
    if (child.node.id.startsWith('BucketNotificationsHandler')) acknowledgeBucketNotificationsHandler(child);
  }
}

function acknowledgeBucketNotificationsHandler(handler: IConstruct): void {
  const role = handler.node.tryFindChild('Role');
  if (role) {
    acknowledge(
      role,
      'AwsSolutions-IAM4',
      'CDK bucket-notifications helper: AWS-managed basic execution role (logs only).',
      [BASIC_EXECUTION_ROLE],
    );
  }
}

/**
 * Targeted acknowledgements for CDK's custom-resource Provider framework (`cr.Provider` without an
 * isComplete handler): its `framework-onEvent` function runs on the AWS-managed basic execution role and
 * may invoke every version of the project's onEvent handler (`<handler.Arn>:*`).
 */
export function acknowledgeProviderFramework(provider: cr.Provider, onEventHandler: lambda.IFunction): void {
  acknowledge(
    provider,
    'AwsSolutions-IAM4',
    'CDK Provider framework function: AWS-managed basic execution role (logs only), set by CDK.',
    [BASIC_EXECUTION_ROLE],
  );
  acknowledge(
    provider,
    'AwsSolutions-IAM5',
    'CDK Provider framework function: lambda:InvokeFunction on the versions/aliases of the one onEvent handler.',
    [arnFinding(onEventHandler, ':*')],
  );
}
