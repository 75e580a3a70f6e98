import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledge, actionFinding } from '../nag/acknowledge';
import { SnowflakeObject } from './snowflake-object';
import type { SnowflakeObjectCommonProps } from './snowflake-object';

export interface NotificationIntegrationProps extends SnowflakeObjectCommonProps {
  /** Integration name (account-level, unique per account), e.g. `INGEST_DEV_ERRORS`. */
  readonly name: string;
  /** Fixed name of the IAM role Snowflake assumes to publish; its ARN is computed from it (breaks the cycle). */
  readonly roleName: string;
  /** Standard (not FIFO) SNS topic Snowflake publishes error notifications to. */
  readonly topic: sns.ITopic;
  /**
   * Key encrypting the topic, for an imported topic (the key of a topic created in this app is
   * granted through `grantPublish`). Snowflake's role gets `kms:Decrypt` and `kms:GenerateDataKey*` on it.
   * @default the topic's own key, if any
   */
  readonly topicKey?: kms.IKey;
  /** @default none */
  readonly comment?: string;
}

/**
 * A Snowflake outbound notification integration to an SNS topic and the IAM role it assumes, wired
 * without a cycle like the storage integration: the integration gets the role's computed ARN; the
 * role trusts the integration's SF_AWS_IAM_USER_ARN with an `sts:ExternalId` condition of its
 * SF_AWS_EXTERNAL_ID (both from DESC INTEGRATION, as custom resource attributes), and may only
 * publish to that topic (and use its key). Updated by ALTER, never replaced, so the generated
 * external id stays fixed.
 */
export class NotificationIntegration extends Construct {
  readonly integration: SnowflakeObject;
  readonly role: iam.Role;
  /** Canonical integration name (the physical id): use it as ERROR_INTEGRATION. */
  readonly integrationName: string;
  /** IAM user Snowflake publishes as (SF_AWS_IAM_USER_ARN). */
  readonly iamUserArn: string;
  /** External id Snowflake generated for the integration (SF_AWS_EXTERNAL_ID). */
  readonly externalId: string;
  /** The role's ARN, computed from its fixed name. */
  readonly roleArn: string;
  readonly topic: sns.ITopic;

  constructor(scope: Construct, id: string, props: NotificationIntegrationProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.roleName) && !/^[\w+=,.@-]{1,64}$/.test(props.roleName))
      throw new Error(
        `${this.node.path}: roleName must be a valid IAM role name (1-64 of [\\w+=,.@-]), got ${JSON.stringify(props.roleName)}`,
      );
    if (!Token.isUnresolved(props.topic.topicArn) && props.topic.topicArn.endsWith('.fifo'))
      throw new Error(
        `${this.node.path}: topic must be a standard SNS topic (Snowflake's error notifications to FIFO topics fail silently), got ${props.topic.topicArn}`,
      );
    this.roleArn = Stack.of(this).formatArn({
      service: 'iam',
      region: '',
      resource: 'role',
      resourceName: props.roleName,
    });
    this.topic = props.topic;

    this.integration = new SnowflakeObject(this, 'Integration', {
      ...props,
      kind: 'notification-integration',
      definition: {
        name: props.name,
        topicArn: props.topic.topicArn,
        roleArn: this.roleArn,
        ...(props.comment ? { comment: props.comment } : {}),
      },
    });
    this.integrationName = this.integration.qualifiedName;
    this.iamUserArn = this.integration.attribute('SfAwsIamUserArn');
    this.externalId = this.integration.attribute('SfAwsExternalId');

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: `Assumed by Snowflake notification integration ${props.name} to publish error notifications`,
      assumedBy: new iam.ArnPrincipal(this.iamUserArn).withConditions({
        StringEquals: { 'sts:ExternalId': this.externalId },
      }),
    });
    props.topic.grantPublish(this.role);
    const ownKey = props.topic.masterKey;
    if (props.topicKey && props.topicKey !== ownKey)
      props.topicKey.grant(this.role, 'kms:Decrypt', 'kms:GenerateDataKey*');
    if (props.topicKey ?? ownKey)
      acknowledge(
        this.role,
        'AwsSolutions-IAM5',
        'Publishing to a KMS-encrypted SNS topic needs kms:GenerateDataKey* (GenerateDataKey and its WithoutPlaintext variant) on the topic key only.',
        [actionFinding('kms:GenerateDataKey*')],
      );
  }
}
