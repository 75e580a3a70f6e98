import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Raised for invalid monitoring props; the message names the property. */
export class MonitoringPropsError extends Error {
  override readonly name = 'MonitoringPropsError';
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface AlarmTopicProps {
  /** Deployment environment name, shown in the topic's display name. */
  readonly environmentName: string;
  /** E-mail addresses subscribed to the topic (each must confirm the subscription). @default none */
  readonly emails?: readonly string[];
  /** HTTPS endpoints (chat integrations, paging services) subscribed to the topic. @default none */
  readonly httpsEndpoints?: readonly string[];
  /**
   * Customer-managed key encrypting the topic. CloudWatch alarms cannot publish to a topic encrypted
   * with the AWS-managed `alias/aws/sns` key, so the key must allow `cloudwatch.amazonaws.com` to use it
   * (done here for a key created by this construct; for your own key, grant it yourself).
   * @default a new key with yearly rotation
   */
  readonly encryptionKey?: kms.IKey;
  /** Removal policy of the key created by this construct. @default RemovalPolicy.RETAIN */
  readonly keyRemovalPolicy?: RemovalPolicy;
}

/**
 * The per-environment alarm topic: KMS-encrypted with a key CloudWatch may use, a topic policy
 * that denies any publish or subscribe over plain HTTP, and the configured e-mail and HTTPS
 * subscriptions.
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    props.emails?.forEach((e, i) => {
      if (!EMAIL.test(e)) throw new MonitoringPropsError(`emails[${i}]: "${e}" is not an e-mail address`);
    });
    props.httpsEndpoints?.forEach((u, i) => {
      if (!/^https:\/\/[^\s/]+/.test(u))
        throw new MonitoringPropsError(`httpsEndpoints[${i}]: "${u}" is not an https URL`);
    });

    if (props.encryptionKey) {
      this.key = props.encryptionKey;
    } else {
      const key = new kms.Key(this, 'Key', {
        description: `Encrypts the pipeline alarm topic (${props.environmentName})`,
        enableKeyRotation: true,
        removalPolicy: props.keyRemovalPolicy ?? RemovalPolicy.RETAIN,
      });
      // CloudWatch alarm actions publish to the encrypted topic on the account's behalf.
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowCloudWatchAlarmsToPublish',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
        }),
      );
      this.key = key;
    }

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `Ingestion pipeline alarms (${props.environmentName})`,
      masterKey: this.key,
      enforceSSL: true,
    });
    props.emails?.forEach((email) => this.topic.addSubscription(new subscriptions.EmailSubscription(email)));
    props.httpsEndpoints?.forEach((url) =>
      this.topic.addSubscription(new subscriptions.UrlSubscription(url, { protocol: sns.SubscriptionProtocol.HTTPS })),
    );
  }
}
