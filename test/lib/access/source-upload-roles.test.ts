import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { SourceSpec } from '../../../contracts/config';
import {
  outputName,
  SourceUploadRoles,
  UPLOAD_ACTIONS,
  type SourceUploadRolesProps,
} from '../../../lib/access/source-upload-roles';
import { PipelineStorage } from '../../../lib/storage/pipeline-storage';
import { arnOf, asArray, logicalId, objectArn, statementsOfRole, testStack } from '../helpers';

const SOURCES: SourceSpec[] = [
  { name: 'retail', principals: ['arn:aws:iam::333333333333:role/retail-export'], datasets: ['users', 'orders'] },
  { name: 'partner-x', principals: ['444444444444', 'arn:aws:iam::555555555555:user/ci'] },
];
const DATASETS = ['users', 'orders', 'events'];

function build(props: Partial<SourceUploadRolesProps> = {}) {
  const stack = testStack();
  const storage = new PipelineStorage(stack, 'Storage', {
    namePrefix: 'ingest-dev',
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const roles = new SourceUploadRoles(stack, 'UploadRoles', {
    inboundBucket: storage.inboundBucket,
    encryptionKey: storage.key,
    sources: SOURCES,
    datasetNames: DATASETS,
    roleNamePrefix: 'ingest-dev-upload',
    ...props,
  });
  return { stack, storage, roles, t: Template.fromStack(stack) };
}

describe('SourceUploadRoles', () => {
  // GIVEN two sources: one limited to two datasets, one allowed every dataset (synthesized once)
  let storage: PipelineStorage;
  let roles: SourceUploadRoles;
  let t: Template;
  beforeAll(() => {
    ({ storage, roles, t } = build());
  });
  const statementsOf = (source: string) => statementsOfRole(t, logicalId(roles.roles.get(source)!));

  test('WHEN synthesized THEN each role is named after its source and trusts only that source’s principals', () => {
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'ingest-dev-upload-retail',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::333333333333:role/retail-export' },
          },
        ],
      },
    });
    const partner = t.toJSON().Resources[logicalId(roles.roles.get('partner-x')!)].Properties;
    expect(partner.RoleName).toBe('ingest-dev-upload-partner-x');
    const principals = (partner.AssumeRolePolicyDocument.Statement as { Principal: { AWS: unknown } }[]).flatMap((s) =>
      asArray(s.Principal.AWS),
    );
    expect(JSON.stringify(principals)).toContain(':iam::444444444444:root');
    expect(principals).toContain('arn:aws:iam::555555555555:user/ci');
    expect(JSON.stringify(principals)).not.toContain('333333333333');
  });

  test('WHEN synthesized THEN a source may only put objects under <source>/<dataset>/ of its own datasets', () => {
    const [upload] = statementsOf('retail').filter((s) => s.Sid === 'UploadOwnPrefixes');
    expect(asArray(upload.Action).sort()).toEqual([...UPLOAD_ACTIONS].sort());
    expect(asArray(upload.Resource)).toHaveLength(2);
    expect(upload.Resource).toEqual(
      expect.arrayContaining([
        objectArn(storage.inboundBucket, 'retail/users/*'),
        objectArn(storage.inboundBucket, 'retail/orders/*'),
      ]),
    );
  });

  test('WHEN a source lists no datasets THEN it may upload to every dataset, still under its own prefix', () => {
    const [upload] = statementsOf('partner-x').filter((s) => s.Sid === 'UploadOwnPrefixes');
    expect(asArray(upload.Resource)).toHaveLength(DATASETS.length);
    expect(upload.Resource).toEqual(
      expect.arrayContaining(DATASETS.map((d) => objectArn(storage.inboundBucket, `partner-x/${d}/*`))),
    );
  });

  test('WHEN synthesized THEN the only other permission is the bucket key, through S3, for SSE-KMS (multipart too)', () => {
    for (const source of ['retail', 'partner-x']) {
      const statements = statementsOf(source);
      expect(statements).toHaveLength(2);
      const kms = statements.find((s) => s.Sid === 'EncryptUploadsThroughS3')!;
      expect(asArray(kms.Action).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      expect(kms).toMatchObject({
        Effect: 'Allow',
        Resource: arnOf(storage.key),
        Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      });
      const actions = statements.flatMap((s) => asArray(s.Action));
      expect(actions.filter((a) => a.includes('*'))).toEqual([]);
      // never read, list or delete anything (ListMultipartUploadParts lists the parts of the caller’s own upload)
      expect(actions.filter((a) => /^s3:(Get|List|Delete)/.test(a))).toEqual(['s3:ListMultipartUploadParts']);
    }
  });

  test('WHEN synthesized THEN each role ARN is a stack output producers can read', () => {
    t.hasOutput('UploadRoleArnRetail', { Value: arnOf(roles.roles.get('retail')!) });
    t.hasOutput('UploadRoleArnPartnerX', {
      Value: arnOf(roles.roles.get('partner-x')!),
      Description: Match.anyValue(),
    });
  });

  test('WHEN synthesized THEN no IAM user or access key exists', () => {
    t.resourceCountIs('AWS::IAM::User', 0);
    t.resourceCountIs('AWS::IAM::AccessKey', 0);
  });

  test('GIVEN invalid props WHEN constructed THEN one clear message names the problem', () => {
    expect(() => build({ sources: [] })).toThrow('SourceUploadRoles: sources must list at least one source');
    expect(() => build({ sources: [{ name: 'a', principals: ['444444444444'], datasets: ['nope'] }] })).toThrow(
      'SourceUploadRoles: source "a" lists unknown datasets: nope',
    );
    expect(() =>
      build({
        sources: [
          { name: 'a-b', principals: ['444444444444'] },
          { name: 'a_b', principals: ['444444444444'] },
        ],
      }),
    ).toThrow('SourceUploadRoles: sources "a-b" and "a_b" both map to output UploadRoleArnAB');
    expect(() => build({ roleNamePrefix: 'x'.repeat(60) })).toThrow(/is longer than IAM's 64 characters/);
    expect(outputName('retail_pos-eu')).toBe('UploadRoleArnRetailPosEu');
  });
});
