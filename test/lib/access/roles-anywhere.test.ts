import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  SourceUploadRoles,
  UPLOAD_ACTIONS,
  type SourceUploadRolesProps,
} from '../../../lib/access/source-upload-roles';
import { ROLES_ANYWHERE_ACTIONS, SourceRolesAnywhere } from '../../../lib/access/roles-anywhere';
import type { SourceSpec } from '../../../contracts/config';
import { PipelineStorage } from '../../../lib/storage/pipeline-storage';
import { createTestCa, type TestCa } from '../../support/certificates';
import { arnOf, asArray, logicalId, statementsOfRole, testStack } from '../helpers';

const DATASETS = ['weather', 'orders'];

function build(sources: SourceSpec[], props: Partial<SourceUploadRolesProps> = {}) {
  const stack = testStack();
  const storage = new PipelineStorage(stack, 'Storage', {
    namePrefix: 'ingest-dev',
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const roles = new SourceUploadRoles(stack, 'UploadRoles', {
    inboundBucket: storage.inboundBucket,
    encryptionKey: storage.key,
    sources,
    datasetNames: DATASETS,
    roleNamePrefix: 'ingest-dev-upload',
    ...props,
  });
  return { stack, roles, t: Template.fromStack(stack) };
}

describe('SourceRolesAnywhere (via SourceUploadRoles)', () => {
  let ca: TestCa;
  let t: Template;
  let roles: SourceUploadRoles;
  let stack: ReturnType<typeof testStack>;
  beforeAll(() => {
    // GIVEN an on-prem source (Roles Anywhere only, two allowed host CNs) and a source in AWS (principals only)
    ca = createTestCa();
    ({ t, roles, stack } = build([
      {
        name: 'weather',
        datasets: ['weather'],
        rolesAnywhere: { caCertificate: ca.certificatePem, subjectCommonNames: ['collector-1', 'collector-2'] },
      },
      { name: 'webapp', principals: ['arn:aws:iam::444444444444:role/shipper'], datasets: ['orders'] },
    ]));
  });
  afterAll(() => ca.dispose());

  test('WHEN synthesized THEN one trust anchor holds the source CA certificate, enabled', () => {
    t.resourceCountIs('AWS::RolesAnywhere::TrustAnchor', 1);
    t.hasResourceProperties('AWS::RolesAnywhere::TrustAnchor', {
      Name: 'ingest-dev-upload-weather',
      Enabled: true,
      Source: { SourceType: 'CERTIFICATE_BUNDLE', SourceData: { X509CertificateData: ca.certificatePem.trim() } },
    });
  });

  test('WHEN synthesized THEN the profile may issue sessions for the source upload role only', () => {
    t.resourceCountIs('AWS::RolesAnywhere::Profile', 1);
    const anchor = roles.rolesAnywhere.get('weather')!;
    const profile = t.toJSON().Resources[logicalId(anchor.profile!)].Properties;
    expect(profile).toMatchObject({ Name: 'ingest-dev-upload-weather', Enabled: true, DurationSeconds: 3600 });
    expect(profile.RoleArns).toEqual([arnOf(roles.roles.get('weather')!)]);
    expect(profile.ManagedPolicyArns).toBeUndefined();
  });

  test('WHEN synthesized THEN the upload role trusts Roles Anywhere only for its trust anchor and the listed CNs', () => {
    const anchor = roles.rolesAnywhere.get('weather')!;
    const role = t.toJSON().Resources[logicalId(roles.roles.get('weather')!)].Properties;
    const statements = role.AssumeRolePolicyDocument.Statement as { Action: string[] }[];
    expect(statements).toHaveLength(1);
    expect([...statements[0].Action].sort()).toEqual([...ROLES_ANYWHERE_ACTIONS].sort());
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'rolesanywhere.amazonaws.com' },
        Action: expect.any(Array),
        Condition: {
          ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalId(anchor.trustAnchor), 'TrustAnchorArn'] } },
          StringEquals: { 'aws:PrincipalTag/x509Subject/CN': ['collector-1', 'collector-2'] },
        },
      },
    ]);
  });

  test('WHEN synthesized THEN the role scope is unchanged: put under its own prefixes, nothing else', () => {
    const statements = statementsOfRole(t, logicalId(roles.roles.get('weather')!));
    const upload = statements.find((s) => s.Sid === 'UploadOwnPrefixes')!;
    expect(asArray(upload.Action).sort()).toEqual([...UPLOAD_ACTIONS].sort());
    expect(JSON.stringify(upload.Resource)).toContain('/weather/weather/*');
    expect(JSON.stringify(upload.Resource)).not.toContain('orders');
    expect(statements.map((s) => s.Sid).sort()).toEqual(['EncryptUploadsThroughS3', 'UploadOwnPrefixes']);
  });

  test('WHEN synthesized THEN a source with principals only gets no Roles Anywhere trust', () => {
    const role = t.toJSON().Resources[logicalId(roles.roles.get('webapp')!)].Properties;
    expect(JSON.stringify(role.AssumeRolePolicyDocument)).not.toContain('rolesanywhere');
    expect(roles.rolesAnywhere.has('webapp')).toBe(false);
  });

  test('WHEN synthesized THEN the trust anchor and profile ARNs are stack outputs named after the source', () => {
    const anchor = roles.rolesAnywhere.get('weather')!;
    t.hasOutput('TrustAnchorArnWeather', {
      Value: { 'Fn::GetAtt': [logicalId(anchor.trustAnchor), 'TrustAnchorArn'] },
    });
    t.hasOutput('RolesAnywhereProfileArnWeather', {
      Value: { 'Fn::GetAtt': [logicalId(anchor.profile!), 'ProfileArn'] },
      Description: Match.stringLikeRegexp('--profile-arn'),
    });
  });

  test('WHEN checked by cdk-nag AwsSolutions THEN Roles Anywhere adds no finding to those of a principals-only source', () => {
    const ruleNames = (scope: typeof stack) =>
      new AwsSolutionsChecks()
        .validateScope(scope)
        .violations.map((v) => v.ruleName)
        .sort();
    const baseline = build([
      { name: 'weather', principals: ['555555555555'], datasets: ['weather'] },
      { name: 'webapp', principals: ['arn:aws:iam::444444444444:role/shipper'], datasets: ['orders'] },
    ]).stack;
    const withAnchor = ruleNames(stack);
    expect(withAnchor).toEqual(ruleNames(baseline));
    expect(withAnchor.filter((r) => /IAM|RolesAnywhere/.test(r))).toEqual([]);
  });

  test('GIVEN both principals and Roles Anywhere WHEN synthesized THEN the role trusts both, each on its own terms', () => {
    const { t: both, roles: r } = build([
      { name: 'hybrid', principals: ['555555555555'], rolesAnywhere: { caCertificate: ca.certificatePem } },
    ]);
    const statements = both.toJSON().Resources[logicalId(r.roles.get('hybrid')!)].Properties.AssumeRolePolicyDocument
      .Statement as { Action: unknown; Principal: unknown; Condition?: unknown }[];
    expect(statements).toHaveLength(2);
    expect(statements.find((s) => JSON.stringify(s.Principal).includes('555555555555'))).toMatchObject({
      Action: 'sts:AssumeRole',
    });
    const ra = statements.find((s) => JSON.stringify(s.Principal).includes('rolesanywhere'))!;
    expect([...(ra.Action as string[])].sort()).toEqual([...ROLES_ANYWHERE_ACTIONS].sort());
    expect(JSON.stringify(ra.Condition)).not.toContain('x509Subject');
  });

  test('GIVEN a source with neither principals nor Roles Anywhere WHEN constructed THEN a clear error', () => {
    expect(() => build([{ name: 'nobody' }])).toThrow(
      'SourceUploadRoles: source "nobody" must list at least one principal or configure rolesAnywhere',
    );
  });

  test('GIVEN a non-PEM CA certificate WHEN constructed directly THEN a clear error names the source', () => {
    const s = testStack();
    expect(
      () =>
        new SourceRolesAnywhere(s, 'RA', { sourceName: 'x', namePrefix: 'p', spec: { caCertificate: 'not a cert' } }),
    ).toThrow('SourceRolesAnywhere: source "x" caCertificate must be a PEM certificate');
  });
});
