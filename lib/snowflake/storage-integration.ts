import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { MANIFEST_PREFIX, STAGE_DATA_PREFIX } from '../../contracts/constants';
import { acknowledge, arnFinding } from '../nag/acknowledge';
import { SnowflakeObject } from './snowflake-object';
import type { SnowflakeObjectCommonProps } from './snowflake-object';

export interface StorageIntegrationProps extends SnowflakeObjectCommonProps {
  /** Integration name (account-level, unique per account). */
  readonly name: string;
  /** Fixed name of the IAM role Snowflake assumes; its ARN is computed from it (breaks the cycle). */
  readonly roleName: string;
  /**
   * Explicit STORAGE_AWS_EXTERNAL_ID. @default none: Snowflake generates an unguessable one at
   * CREATE, read back as the integration's `StorageAwsExternalId` attribute (never in the template)
   */
  readonly externalId?: string;
  /** Bucket Snowflake reads. */
  readonly bucket: s3.IBucket;
  /** Key encrypting the bucket (Snowflake gets kms:Decrypt on it). @default none (SSE-S3) */
  readonly key?: kms.IKey;
  /** The stage lines' prefix Snowflake may read. @default 'data/' */
  readonly prefix?: string;
  /** Further prefixes Snowflake may read (the parser's file manifests). @default ['manifests/'] */
  readonly extraPrefixes?: readonly string[];
  /** @default none */
  readonly comment?: string;
}

/**
 * A Snowflake storage integration and the IAM role it assumes, wired without a cycle: the
 * integration gets the role's computed ARN; the role trusts the integration's
 * STORAGE_AWS_IAM_USER_ARN (a custom resource attribute) with an sts:ExternalId condition, and may
 * only read `<bucket>/<prefix>*` and decrypt with the bucket key. Updated by ALTER, never replaced.
 */
export class StorageIntegration extends Construct {
  readonly integration: SnowflakeObject;
  readonly role: iam.Role;
  readonly integrationName: string;
  /** IAM user Snowflake uses (from DESC INTEGRATION). */
  readonly iamUserArn: string;
  /** The external id: the explicit one, or a token for the integration's generated one. */
  readonly externalId: string;
  /** The role's ARN, computed from its fixed name. */
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: StorageIntegrationProps) {
    super(scope, id);
    const prefix = props.prefix ?? STAGE_DATA_PREFIX;
    const prefixes = [prefix, ...(props.extraPrefixes ?? [MANIFEST_PREFIX])];
    for (const p of prefixes)
      if (!/^([A-Za-z0-9_-]+\/)+$/.test(p))
        throw new Error(
          `${this.node.path}: prefix must look like data/ (segments ending with /), got ${JSON.stringify(p)}`,
        );
    if (!Token.isUnresolved(props.roleName) && !/^[\w+=,.@-]{1,64}$/.test(props.roleName))
      throw new Error(
        `${this.node.path}: roleName must be a valid IAM role name (1-64 of [\\w+=,.@-]), got ${JSON.stringify(props.roleName)}`,
      );
    const roleArn = Stack.of(this).formatArn({
      service: 'iam',
      region: '',
      resource: 'role',
      resourceName: props.roleName,
    });

    this.integration = new SnowflakeObject(this, 'Integration', {
      ...props,
      kind: 'storage-integration',
      definition: {
        name: props.name,
        roleArn,
        ...(props.externalId ? { externalId: props.externalId } : {}),
        // Snowflake checks stage URLs against the allowed locations: the stage is the bucket root
        // (pipes read `@stage/data/<dataset>/`); what Snowflake can read is limited by the role below.
        allowedLocations: [`s3://${props.bucket.bucketName}/`],
        ...(props.comment ? { comment: props.comment } : {}),
      },
    });
    this.integrationName = this.integration.qualifiedName;
    this.iamUserArn = this.integration.attribute('StorageAwsIamUserArn');
    this.externalId = props.externalId ?? this.integration.attribute('StorageAwsExternalId');
    this.roleArn = roleArn;

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: `Assumed by Snowflake storage integration ${props.name} to read ${prefixes.join(', ')}`,
      assumedBy: new iam.ArnPrincipal(this.iamUserArn).withConditions({
        StringEquals: { 'sts:ExternalId': this.externalId },
      }),
    });
    // No grant method reads one prefix with an s3:prefix-scoped ListBucket: written out, scoped.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadStagePrefix',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: prefixes.map((p) => props.bucket.arnForObjects(`${p}*`)),
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListStagePrefix',
        actions: ['s3:ListBucket'],
        resources: [props.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': prefixes.map((p) => `${p}*`) } },
      }),
    );
    props.key?.grantDecrypt(this.role);
    if (CfnResource.isCfnResource(props.bucket.node.defaultChild)) {
      acknowledge(
        this.role,
        'AwsSolutions-IAM5',
        `Snowflake reads every staged object below ${prefixes.join(' and ')} of the stage bucket (one prefix per dataset, created at run time; the file manifests).`,
        prefixes.map((p) => arnFinding(props.bucket, `/${p}*`)),
      );
    }
  }
}
