import type { Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as cr from 'aws-cdk-lib/custom-resources';
import type { IConstruct } from 'constructs';
import { acknowledge, arnFinding } from './acknowledge';
import { recordAcknowledgementsInTemplate } from './template-checks';

/** AWS-managed policy CDK attaches to its helper functions' roles (CloudWatch Logs only). */
const BASIC_EXECUTION_ROLE = 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

/** Construct id of CDK's provider behind `autoDeleteObjects: true` (destroy environments only). */
const AUTO_DELETE_OBJECTS_PROVIDER = 'Custom::S3AutoDeleteObjectsCustomResourceProvider';

/**
 * Targeted acknowledgements for the functions CDK itself adds to a stack (never for project code), written
 * into the template's metadata too (these are plain `CfnResource`s: only a check over the synthesized
 * template sees them, see template-checks.ts):
 * - `BucketNotificationsHandler…`: the singleton behind `bucket.addEventNotification`; its role carries
 *   the AWS-managed basic execution policy (its s3:PutBucketNotification grant is already bucket-scoped),
 *   and its Python runtime is the one CDK chooses and tests (`Runtime.determineLatestPythonRuntime`).
 * - `Custom::S3AutoDeleteObjectsCustomResourceProvider`: empties the buckets of a destroy environment
 *   on stack deletion; its role carries the AWS-managed basic execution policy.
 *
 * Call once, after every construct of the stack exists.
 */
export function acknowledgeCdkHelpers(stack: Stack): void {
  for (const child of stack.node.children) {
    if (child.node.id.startsWith('BucketNotificationsHandler')) acknowledgeBucketNotificationsHandler(child);
    if (child.node.id === AUTO_DELETE_OBJECTS_PROVIDER) acknowledgeAutoDeleteObjectsProvider(child);
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
  acknowledge(
    handler.node.tryFindChild('Resource') ?? handler,
    'AwsSolutions-L1',
    'CDK bucket-notifications helper: inline Python code whose runtime CDK pins to the newest one it has tested ' +
      '(a supported Lambda runtime); overriding it would run CDK code on a runtime CDK never tested.',
  );
  recordAcknowledgementsInTemplate(handler);
}

function acknowledgeAutoDeleteObjectsProvider(provider: IConstruct): void {
  acknowledge(
    provider,
    'AwsSolutions-IAM4',
    'CDK auto-delete-objects provider (destroy environments only): AWS-managed basic execution role (logs only), set by CDK.',
    [BASIC_EXECUTION_ROLE],
  );
  recordAcknowledgementsInTemplate(provider);
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
