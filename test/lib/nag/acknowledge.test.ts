import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { AwsSolutionsChecks } from 'cdk-nag';
import { acknowledge, actionFinding, arnFinding, SuppressionError } from '../../../lib/nag/acknowledge';
import { acknowledgeCdkHelpers, acknowledgeProviderFramework } from '../../../lib/nag/cdk-helpers';
import { addNagChecks } from '../../../lib/nag/checks';
import { testStack } from '../helpers';

/** GIVEN a role allowed s3:GetObject* on every object of a bucket (two IAM5 findings). */
function build() {
  const stack = testStack();
  const bucket = new s3.Bucket(stack, 'Bucket');
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
  bucket.grantRead(role);
  const policy = role.node.findChild('DefaultPolicy');
  const iam5 = () =>
    new AwsSolutionsChecks()
      .validateScope(stack)
      .violations.filter((v) => v.ruleName.startsWith('AwsSolutions-IAM5'))
      .map((v) => v.ruleName)
      .sort();
  return { stack, bucket, policy, iam5 };
}

describe('acknowledge', () => {
  test('GIVEN the findings computed by arnFinding/actionFinding WHEN acknowledged THEN cdk-nag reports none of them', () => {
    const { bucket, policy, iam5 } = build();
    const resource = arnFinding(bucket, '/*');
    expect(resource).toMatch(/^Resource::<Bucket[0-9A-F]{8}\.Arn>\/\*$/);
    expect(iam5()).toEqual(
      [
        `AwsSolutions-IAM5[${resource}]`,
        'AwsSolutions-IAM5[Action::s3:GetBucket*]',
        'AwsSolutions-IAM5[Action::s3:GetObject*]',
        'AwsSolutions-IAM5[Action::s3:List*]',
      ].sort(),
    );
    acknowledge(policy, 'AwsSolutions-IAM5', 'Test: reads any object of this one bucket.', [
      resource,
      ...['s3:GetBucket*', 's3:GetObject*', 's3:List*'].map(actionFinding),
    ]);
    expect(iam5()).toEqual([]);
  });

  test('GIVEN only some findings acknowledged WHEN checked THEN the others are still reported', () => {
    const { bucket, policy, iam5 } = build();
    acknowledge(policy, 'AwsSolutions-IAM5', 'Test: reads any object of this one bucket.', [arnFinding(bucket, '/*')]);
    expect(iam5()).toEqual([
      'AwsSolutions-IAM5[Action::s3:GetBucket*]',
      'AwsSolutions-IAM5[Action::s3:GetObject*]',
      'AwsSolutions-IAM5[Action::s3:List*]',
    ]);
  });

  test('GIVEN a malformed suppression WHEN requested THEN a SuppressionError says what is wrong', () => {
    const { stack, bucket } = build();
    expect(() => acknowledge(stack, 'IAM5', 'A reason that is long enough.')).toThrow(SuppressionError);
    expect(() => acknowledge(stack, 'AwsSolutions-IAM5', 'because')).toThrow(
      'cdk-nag suppression of AwsSolutions-IAM5 on Test needs a real reason',
    );
    expect(() => acknowledge(stack, 'AwsSolutions-IAM5', 'A reason that is long enough.', [])).toThrow(
      'empty findings list',
    );
    expect(() => arnFinding(stack, '/*')).toThrow('arnFinding: Test has no CloudFormation resource');
    expect(arnFinding(bucket.node.defaultChild!, '')).toBe(arnFinding(bucket, ''));
  });

  test('GIVEN addNagChecks on a stage-like scope WHEN called THEN the AwsSolutions plugin is registered', () => {
    const { stack } = build();
    const app = stack.node.root as unknown as { policyValidationBeta1: { name: string }[] };
    addNagChecks(stack.node.root);
    // The only public view of the plugins is deprecated (jsii warns on every access): keep the run quiet.
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      expect(app.policyValidationBeta1.map((p) => p.name)).toEqual(['AwsSolutions']);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('CDK helper acknowledgements', () => {
  test('GIVEN a bucket notification to a queue WHEN acknowledged THEN cdk-nag reports nothing for CDK’s handler', () => {
    const stack = testStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(new sqs.Queue(stack, 'Queue')));
    const handlerFindings = () =>
      new AwsSolutionsChecks()
        .validateScope(stack)
        .violations.filter((v) =>
          v.violatingResources.some((r) => (r.constructPath ?? '').includes('BucketNotificationsHandler')),
        )
        .map((v) => v.ruleName);
    expect(handlerFindings()).toEqual([
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    ]);
    acknowledgeCdkHelpers(stack);
    expect(handlerFindings()).toEqual([]);
  });

  test('GIVEN a Provider framework WHEN acknowledged THEN only the project handler’s own findings remain', () => {
    const stack = testStack();
    const onEvent = new lambda.Function(stack, 'OnEvent', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    });
    const provider = new cr.Provider(stack, 'Provider', { onEventHandler: onEvent });
    acknowledgeProviderFramework(provider, onEvent);
    const paths = new AwsSolutionsChecks()
      .validateScope(stack)
      .violations.flatMap((v) => v.violatingResources.map((r) => r.constructPath ?? ''));
    expect(paths.filter((p) => p.startsWith('Test/Provider'))).toEqual([]);
    expect(paths).toContain('Test/OnEvent/ServiceRole/Resource'); // the project's own function is not hidden
  });
});
