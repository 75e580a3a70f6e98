import { CfnOutput, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { SOURCE_NAME_PATTERN, type SourceSpec } from '../../contracts/config';
import { acknowledge, arnFinding } from '../nag/acknowledge';
import { SourceRolesAnywhere } from './roles-anywhere';

/** The only S3 actions an upload role gets: put objects, including multipart uploads. */
export const UPLOAD_ACTIONS = ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'] as const;
/** KMS actions S3 performs on the uploader's behalf for SSE-KMS (Decrypt completes multipart uploads). */
export const UPLOAD_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'] as const;

export interface SourceUploadRolesProps {
  /** Bucket the producers upload to. */
  readonly inboundBucket: s3.IBucket;
  /** Key of the inbound bucket (SSE-KMS default encryption). */
  readonly encryptionKey: kms.IKey;
  /** Producers: name, principals allowed to assume the role, allowed datasets. */
  readonly sources: readonly SourceSpec[];
  /** Every dataset name: the allowed datasets of a source that lists none. */
  readonly datasetNames: readonly string[];
  /**
   * Role names are `<roleNamePrefix>-<source>` (at most 64 characters), so the ARN producers assume is
   * stable and readable, e.g. `ingest-prod-upload-airbnb`.
   */
  readonly roleNamePrefix: string;
}

/**
 * One IAM role per source, assumable only by that source's principals (no access keys anywhere), allowed
 * only to upload under `<source>/<dataset>/` of the inbound bucket for its datasets. Each role ARN is a
 * stack output named `UploadRoleArn<Source>`.
 */
export class SourceUploadRoles extends Construct {
  /** Upload role of each source, by source name. */
  readonly roles: ReadonlyMap<string, iam.Role>;
  /** Roles Anywhere trust anchor and profile of each source that configures `rolesAnywhere`, by source name. */
  readonly rolesAnywhere: ReadonlyMap<string, SourceRolesAnywhere>;

  constructor(scope: Construct, id: string, props: SourceUploadRolesProps) {
    super(scope, id);
    validateProps(props);
    const roles = new Map<string, iam.Role>();
    const rolesAnywhere = new Map<string, SourceRolesAnywhere>();
    for (const source of props.sources) {
      const datasets = source.datasets ?? props.datasetNames;
      // Hosts outside AWS: a trust anchor from the source's CA; its principal joins the role's trust policy.
      const anywhere = source.rolesAnywhere
        ? new SourceRolesAnywhere(this, `RolesAnywhere-${source.name}`, {
            sourceName: source.name,
            spec: source.rolesAnywhere,
            namePrefix: props.roleNamePrefix,
          })
        : undefined;
      const role = new iam.Role(this, `Role-${source.name}`, {
        roleName: `${props.roleNamePrefix}-${source.name}`,
        description: `Upload role of source "${source.name}": put objects under ${source.name}/<dataset>/ only`,
        assumedBy: new iam.CompositePrincipal(
          ...(source.principals ?? []).map(principalOf),
          ...(anywhere ? [anywhere.principal] : []),
        ),
      });
      if (anywhere) {
        anywhere.attachRole(role);
        rolesAnywhere.set(source.name, anywhere);
      }
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'UploadOwnPrefixes',
          actions: [...UPLOAD_ACTIONS],
          resources: datasets.map((d) => props.inboundBucket.arnForObjects(`${source.name}/${d}/*`)),
        }),
      );
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'EncryptUploadsThroughS3',
          actions: [...UPLOAD_KEY_ACTIONS],
          resources: [props.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
      const policy = role.node.tryFindChild('DefaultPolicy');
      if (policy) {
        acknowledge(
          policy,
          'AwsSolutions-IAM5',
          `Source "${source.name}" uploads objects with keys chosen by the producer, under its own ` +
            '<source>/<dataset>/ prefixes only.',
          datasets.map((d) => arnFinding(props.inboundBucket, `/${source.name}/${d}/*`)),
        );
      }
      new CfnOutput(this, `RoleArn-${source.name}`, {
        description: `Role that source "${source.name}" assumes to upload to s3://<inbound>/${source.name}/<dataset>/`,
        value: role.roleArn,
      }).overrideLogicalId(outputName(source.name));
      roles.set(source.name, role);
    }
    this.roles = roles;
    this.rolesAnywhere = rolesAnywhere;
  }
}

/** `retail-pos` → `UploadRoleArnRetailPos`: the stack output holding a source's role ARN. */
export function outputName(sourceName: string): string {
  const pascal = sourceName
    .split(/[-_]/)
    .map((s) => s.charAt(0).toUpperCase() + s.slice(1))
    .join('');
  return `UploadRoleArn${pascal}`;
}

function principalOf(principal: string): iam.IPrincipal {
  return /^\d{12}$/.test(principal) ? new iam.AccountPrincipal(principal) : new iam.ArnPrincipal(principal);
}

function validateProps(props: SourceUploadRolesProps): void {
  if (props.sources.length === 0) throw new Error('SourceUploadRoles: sources must list at least one source');
  if (props.datasetNames.length === 0)
    throw new Error('SourceUploadRoles: datasetNames must list at least one dataset');
  const outputs = new Map<string, string>();
  for (const source of props.sources) {
    if (!SOURCE_NAME_PATTERN.test(source.name)) {
      throw new Error(`SourceUploadRoles: source name "${source.name}" must match ${SOURCE_NAME_PATTERN.source}`);
    }
    if ((source.principals ?? []).length === 0 && !source.rolesAnywhere) {
      throw new Error(
        `SourceUploadRoles: source "${source.name}" must list at least one principal or configure rolesAnywhere`,
      );
    }
    const unknown = (source.datasets ?? []).filter((d) => !props.datasetNames.includes(d));
    if (unknown.length > 0) {
      throw new Error(`SourceUploadRoles: source "${source.name}" lists unknown datasets: ${unknown.join(', ')}`);
    }
    const roleName = `${props.roleNamePrefix}-${source.name}`;
    if (!Token.isUnresolved(props.roleNamePrefix) && roleName.length > 64) {
      throw new Error(
        `SourceUploadRoles: role name "${roleName}" is longer than IAM's 64 characters: shorten the project, ` +
          'environment or source name',
      );
    }
    const output = outputName(source.name);
    const clash = outputs.get(output);
    if (clash) {
      throw new Error(`SourceUploadRoles: sources "${clash}" and "${source.name}" both map to output ${output}`);
    }
    outputs.set(output, source.name);
  }
}
