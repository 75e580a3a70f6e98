/**
 * cdk-nag suppression helpers. cdk-nag 3 reads CDK's own acknowledgements
 * (`Validations.of(construct).acknowledge`), one rule id per entry; a granular finding is
 * `<rule>[<finding>]`, e.g. `AwsSolutions-IAM5[Action::s3:GetObject*]`. Every acknowledgement here names
 * the rule, the construct it is attached to (it covers that construct's subtree only) and the reason.
 */
import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Raised when a suppression is requested without a reason or for a malformed rule id. */
export class SuppressionError extends Error {
  override readonly name = 'SuppressionError';
}

const RULE_ID = /^AwsSolutions-[A-Za-z]+\d+$/;

/**
 * Acknowledges `ruleId` on `scope` (and its children). With `findings`, only those findings of the
 * rule are acknowledged (`AwsSolutions-IAM5[Resource::<Bucket.Arn>/data/*]`), never the whole rule.
 */
export function acknowledge(scope: IConstruct, ruleId: string, reason: string, findings?: readonly string[]): void {
  if (!RULE_ID.test(ruleId)) throw new SuppressionError(`cdk-nag rule id "${ruleId}" must look like AwsSolutions-IAM5`);
  if (reason.trim().length < 20) {
    throw new SuppressionError(`cdk-nag suppression of ${ruleId} on ${scope.node.path} needs a real reason`);
  }
  if (findings !== undefined && findings.length === 0) {
    throw new SuppressionError(`cdk-nag suppression of ${ruleId} on ${scope.node.path}: empty findings list`);
  }
  const ids = findings ? findings.map((f) => `${ruleId}[${f}]`) : [ruleId];
  Validations.of(scope).acknowledge(...ids.map((id) => ({ id, reason })));
}

/**
 * The cdk-nag IAM5 finding for a resource ARN built from `resource`'s `Arn` attribute, e.g.
 * `Resource::<StorageInboundBucketA1B2C3D4.Arn>/*`. The logical id is read from the tree, so the
 * finding follows the construct and no hashed id is written by hand.
 */
export function arnFinding(resource: IConstruct, suffix: string, attribute = 'Arn'): string {
  const cfn = CfnResource.isCfnResource(resource) ? resource : resource.node.defaultChild;
  if (!cfn || !CfnResource.isCfnResource(cfn)) {
    throw new SuppressionError(`arnFinding: ${resource.node.path} has no CloudFormation resource`);
  }
  const logicalId = Stack.of(cfn).resolve(cfn.logicalId) as string;
  return `Resource::<${logicalId}.${attribute}>${suffix}`;
}

/** The cdk-nag IAM5 finding for a wildcard action, e.g. `Action::s3:GetObject*`. */
export function actionFinding(action: string): string {
  return `Action::${action}`;
}
