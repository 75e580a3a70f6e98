import { CfnOutput } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rolesanywhere from 'aws-cdk-lib/aws-rolesanywhere';
import { Construct } from 'constructs';
import { SOURCE_NAME_PATTERN, type SourceSpec } from '../../contracts/config';
import { DEFAULT_ROLES_ANYWHERE_SESSION_SECONDS } from '../../contracts/defaults';

/** The Roles Anywhere service principal, and what it must be trusted to do when it issues a session. */
export const ROLES_ANYWHERE_SERVICE = 'rolesanywhere.amazonaws.com';
export const ROLES_ANYWHERE_ACTIONS = ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] as const;
/** Session length of a profile when the source does not set one (contracts/defaults.ts). */
export const DEFAULT_SESSION_DURATION_SECONDS = DEFAULT_ROLES_ANYWHERE_SESSION_SECONDS;

export type RolesAnywhereSpec = NonNullable<SourceSpec['rolesAnywhere']>;

export interface SourceRolesAnywhereProps {
  /** The source this trust anchor and profile belong to. */
  readonly sourceName: string;
  /** Its Roles Anywhere settings (CA certificate, allowed subject CNs, session length). */
  readonly spec: RolesAnywhereSpec;
  /** Resource names are `<namePrefix>-<source>`. */
  readonly namePrefix: string;
}

/**
 * The Roles Anywhere service as the principal of an upload role: trusted for AssumeRole, TagSession and
 * SetSourceIdentity, only for sessions from one trust anchor (`aws:SourceArn`) and, when configured, only
 * for certificates with one of the given subject CNs.
 */
export class RolesAnywherePrincipal extends iam.ServicePrincipal implements iam.IAssumeRolePrincipal {
  constructor(
    private readonly trustAnchorArn: string,
    private readonly subjectCommonNames?: readonly string[],
  ) {
    super(ROLES_ANYWHERE_SERVICE);
  }

  override addToAssumeRolePolicy(document: iam.PolicyDocument): void {
    document.addStatements(
      new iam.PolicyStatement({
        actions: [...ROLES_ANYWHERE_ACTIONS],
        principals: [new iam.ServicePrincipal(ROLES_ANYWHERE_SERVICE)],
        conditions: {
          ArnEquals: { 'aws:SourceArn': this.trustAnchorArn },
          ...(this.subjectCommonNames
            ? { StringEquals: { 'aws:PrincipalTag/x509Subject/CN': [...this.subjectCommonNames] } }
            : {}),
        },
      }),
    );
  }
}

/**
 * IAM Roles Anywhere for one source whose hosts live outside AWS: a trust anchor made from the source's CA
 * certificate, and (once the upload role exists, {@link attachRole}) a profile that can issue sessions for
 * that role only. Hosts exchange a certificate signature for temporary credentials: no static keys.
 * Stack outputs `TrustAnchorArn<Source>` and `RolesAnywhereProfileArn<Source>` feed the uploader's flags.
 */
export class SourceRolesAnywhere extends Construct {
  readonly trustAnchor: rolesanywhere.CfnTrustAnchor;
  /** The principal to put in the upload role's trust policy. */
  readonly principal: RolesAnywherePrincipal;
  profile?: rolesanywhere.CfnProfile;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: SourceRolesAnywhereProps,
  ) {
    super(scope, id);
    if (!SOURCE_NAME_PATTERN.test(props.sourceName)) {
      throw new Error(
        `SourceRolesAnywhere: source name "${props.sourceName}" must match ${SOURCE_NAME_PATTERN.source}`,
      );
    }
    if (!props.spec.caCertificate.includes('-----BEGIN CERTIFICATE-----')) {
      throw new Error(`SourceRolesAnywhere: source "${props.sourceName}" caCertificate must be a PEM certificate`);
    }
    this.trustAnchor = new rolesanywhere.CfnTrustAnchor(this, 'TrustAnchor', {
      name: `${props.namePrefix}-${props.sourceName}`,
      enabled: true,
      source: {
        sourceType: 'CERTIFICATE_BUNDLE',
        sourceData: { x509CertificateData: props.spec.caCertificate.trim() },
      },
    });
    this.principal = new RolesAnywherePrincipal(this.trustAnchor.attrTrustAnchorArn, props.spec.subjectCommonNames);
    new CfnOutput(this, 'TrustAnchorArn', {
      description: `Roles Anywhere trust anchor of source "${props.sourceName}" (uploader --trust-anchor-arn)`,
      value: this.trustAnchor.attrTrustAnchorArn,
    }).overrideLogicalId(`TrustAnchorArn${pascalCase(props.sourceName)}`);
  }

  /** Creates the profile limited to `role` (the source's upload role). Call once. */
  attachRole(role: iam.IRole): rolesanywhere.CfnProfile {
    if (this.profile) throw new Error(`SourceRolesAnywhere: source "${this.props.sourceName}" already has a profile`);
    this.profile = new rolesanywhere.CfnProfile(this, 'Profile', {
      name: `${this.props.namePrefix}-${this.props.sourceName}`,
      enabled: true,
      roleArns: [role.roleArn],
      durationSeconds: this.props.spec.sessionDurationSeconds ?? DEFAULT_SESSION_DURATION_SECONDS,
    });
    new CfnOutput(this, 'ProfileArn', {
      description: `Roles Anywhere profile of source "${this.props.sourceName}" (uploader --profile-arn)`,
      value: this.profile.attrProfileArn,
    }).overrideLogicalId(`RolesAnywhereProfileArn${pascalCase(this.props.sourceName)}`);
    return this.profile;
  }
}

/** `retail-pos` → `RetailPos` (stack output names). */
export function pascalCase(sourceName: string): string {
  return sourceName
    .split(/[-_]/)
    .map((s) => s.charAt(0).toUpperCase() + s.slice(1))
    .join('');
}
