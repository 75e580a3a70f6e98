import { RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_RETENTION } from '../../../contracts/defaults';
import { PipelineStorage, type PipelineStorageProps } from '../../../lib/storage/pipeline-storage';
import { arnOf, logicalId, testStack } from '../helpers';

function build(props: Partial<PipelineStorageProps> = {}): { stack: Stack; storage: PipelineStorage; t: Template } {
  const stack = testStack();
  const storage = new PipelineStorage(stack, 'Storage', {
    namePrefix: 'ingest-dev',
    removalPolicy: RemovalPolicy.DESTROY,
    ...props,
  });
  return { stack, storage, t: Template.fromStack(stack) };
}

/** Lifecycle rules of a bucket, by rule id. */
function lifecycleOf(t: Template, bucketLogicalId: string): Record<string, Record<string, unknown>> {
  const bucket = t.toJSON().Resources[bucketLogicalId];
  const rules = bucket.Properties.LifecycleConfiguration.Rules as Record<string, unknown>[];
  return Object.fromEntries(rules.map((r) => [r.Id as string, r]));
}

describe('PipelineStorage', () => {
  // GIVEN the default storage of a dev environment (synthesized once)
  let dev: ReturnType<typeof build>;
  beforeAll(() => {
    dev = build();
  });
  const dataBuckets = () => [dev.storage.inboundBucket, dev.storage.stageBucket, dev.storage.archiveBucket];

  test('WHEN synthesized THEN the key rotates and has the environment alias', () => {
    dev.t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    dev.t.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/ingest-dev-pipeline',
      TargetKeyId: arnOf(dev.storage.key),
    });
  });

  test('WHEN synthesized THEN the data buckets use SSE-KMS with the key and bucket keys', () => {
    for (const bucket of dataBuckets()) {
      expect(dev.t.toJSON().Resources[logicalId(bucket)].Properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arnOf(dev.storage.key) },
          },
        ],
      });
    }
  });

  test('WHEN synthesized THEN the access-log bucket uses SSE-S3 and receives the other buckets’ logs', () => {
    dev.t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    const logBucket = { Ref: logicalId(dev.storage.accessLogBucket) };
    for (const [bucket, prefix] of [
      [dev.storage.inboundBucket, 'inbound/'],
      [dev.storage.stageBucket, 'stage/'],
      [dev.storage.archiveBucket, 'archive/'],
    ] as const) {
      expect(dev.t.toJSON().Resources[logicalId(bucket)].Properties.LoggingConfiguration).toEqual({
        DestinationBucketName: logBucket,
        LogFilePrefix: prefix,
      });
    }
  });

  test('WHEN synthesized THEN every bucket blocks public access and owns its objects', () => {
    const buckets = dev.t.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(4);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    }
  });

  test('WHEN synthesized THEN every bucket policy denies requests without TLS and below TLS 1.2', () => {
    const policies = dev.t.findResources('AWS::S3::BucketPolicy');
    expect(Object.keys(policies)).toHaveLength(4);
    for (const policy of Object.values(policies)) {
      const statements = policy.Properties.PolicyDocument.Statement as Record<string, unknown>[];
      expect(statements).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
          }),
        ]),
      );
    }
  });

  test('WHEN synthesized THEN inbound uploads naming another KMS key or a customer key are denied', () => {
    const policy = Object.values(dev.t.findResources('AWS::S3::BucketPolicy')).find(
      (p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: logicalId(dev.storage.inboundBucket) }),
    )!;
    const statements = policy.Properties.PolicyDocument.Statement as Record<string, unknown>[];
    const objects = { 'Fn::Join': ['', [arnOf(dev.storage.inboundBucket), '/*']] };
    expect(statements).toEqual(
      expect.arrayContaining([
        {
          Sid: 'DenyUploadsWithAnotherKmsKey',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 's3:PutObject',
          Resource: objects,
          Condition: {
            // Null=false: only requests that name a key; without it a missing header would match StringNotEquals
            Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' },
            StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': arnOf(dev.storage.key) },
          },
        },
        {
          Sid: 'DenyUploadsWithCustomerKeys',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 's3:PutObject',
          Resource: objects,
          Condition: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } },
        },
      ]),
    );
  });

  test('WHEN synthesized THEN the inbound and archive buckets are versioned, and only they', () => {
    const versioned = Object.entries(dev.t.findResources('AWS::S3::Bucket'))
      .filter(([, b]) => b.Properties.VersioningConfiguration?.Status === 'Enabled')
      .map(([id]) => id)
      .sort();
    expect(versioned).toEqual([logicalId(dev.storage.archiveBucket), logicalId(dev.storage.inboundBucket)].sort());
  });

  test('WHEN synthesized with defaults THEN the archive tiers to IA at 30 and Glacier at 90 days and never expires', () => {
    const rules = lifecycleOf(dev.t, logicalId(dev.storage.archiveBucket));
    expect(rules['tier-archive']).toEqual({
      Id: 'tier-archive',
      Status: 'Enabled',
      Transitions: [
        { StorageClass: 'STANDARD_IA', TransitionInDays: DEFAULT_RETENTION.archiveInfrequentAccessDays },
        { StorageClass: 'GLACIER', TransitionInDays: DEFAULT_RETENTION.archiveGlacierDays },
      ],
      NoncurrentVersionTransitions: [{ StorageClass: 'GLACIER', TransitionInDays: 90 }],
    });
    expect(rules['abort-incomplete-uploads']).toMatchObject({
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
    });
  });

  test('WHEN synthesized THEN the stage bucket expires data/, manifests/ and quarantine/ separately', () => {
    const rules = lifecycleOf(dev.t, logicalId(dev.storage.stageBucket));
    expect(rules['expire-staged-data']).toEqual({
      Id: 'expire-staged-data',
      Status: 'Enabled',
      Prefix: 'data/',
      ExpirationInDays: DEFAULT_RETENTION.stageExpireDays,
    });
    expect(rules['expire-quarantine']).toMatchObject({ Prefix: 'quarantine/', ExpirationInDays: 90 });
    expect(rules['expire-manifests']).toEqual({
      Id: 'expire-manifests',
      Status: 'Enabled',
      Prefix: 'manifests/',
      ExpirationInDays: DEFAULT_RETENTION.stageExpireDays,
    });
    expect(rules['abort-incomplete-uploads']).toMatchObject({
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
    });
  });

  test('WHEN synthesized THEN inbound objects and versions never expire but stale multipart uploads are aborted after 7 days', () => {
    // A version waiting in the DLQ is data, not garbage: only orphaned delete markers are cleaned up.
    const rules = lifecycleOf(dev.t, logicalId(dev.storage.inboundBucket));
    expect(Object.values(rules)).toEqual([
      { Id: 'abort-incomplete-uploads', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
      { Id: 'remove-expired-delete-markers', Status: 'Enabled', ExpiredObjectDeleteMarker: true },
    ]);
    expect(lifecycleOf(dev.t, logicalId(dev.storage.accessLogBucket))['expire-access-logs']).toMatchObject({
      ExpirationInDays: 365,
    });
  });

  test('GIVEN custom retention WHEN synthesized THEN every period follows the config', () => {
    const { t, storage } = build({
      retention: {
        archiveInfrequentAccessDays: 45,
        archiveGlacierDays: 180,
        archiveExpireDays: 2555,
        stageExpireDays: 14,
        quarantineExpireDays: 30,
        accessLogExpireDays: 90,
      },
    });
    const archive = lifecycleOf(t, logicalId(storage.archiveBucket))['tier-archive'];
    expect(archive).toMatchObject({
      Transitions: [
        { StorageClass: 'STANDARD_IA', TransitionInDays: 45 },
        { StorageClass: 'GLACIER', TransitionInDays: 180 },
      ],
      ExpirationInDays: 2555,
      NoncurrentVersionExpiration: { NoncurrentDays: 2555 },
    });
    const stage = lifecycleOf(t, logicalId(storage.stageBucket));
    expect(stage['expire-staged-data'].ExpirationInDays).toBe(14);
    expect(stage['expire-quarantine'].ExpirationInDays).toBe(30);
    expect(stage['expire-manifests'].ExpirationInDays).toBe(14);
    expect(lifecycleOf(t, logicalId(storage.accessLogBucket))['expire-access-logs'].ExpirationInDays).toBe(90);
  });

  test('GIVEN removal policy DESTROY WHEN synthesized THEN buckets are deleted with their objects and the key too', () => {
    for (const bucket of Object.values(dev.t.findResources('AWS::S3::Bucket'))) {
      expect(bucket.DeletionPolicy).toBe('Delete');
    }
    expect(Object.keys(dev.t.findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(4);
    dev.t.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ PendingWindowInDays: 7 }),
    });
  });

  test('GIVEN removal policy RETAIN WHEN synthesized THEN buckets and key are retained and nothing auto-deletes', () => {
    const { t } = build({ removalPolicy: RemovalPolicy.RETAIN });
    for (const bucket of Object.values(t.findResources('AWS::S3::Bucket'))) {
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.UpdateReplacePolicy).toBe('Retain');
    }
    t.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    t.resourceCountIs('AWS::Lambda::Function', 0);
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('GIVEN invalid props WHEN constructed THEN one clear message names the property', () => {
    expect(() => build({ namePrefix: 'Bad Prefix' })).toThrow(
      'PipelineStorage: namePrefix "Bad Prefix" must match ^[a-z][a-z0-9-]{0,40}$',
    );
    expect(() => build({ removalPolicy: RemovalPolicy.SNAPSHOT })).toThrow(
      'PipelineStorage: removalPolicy must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN',
    );
    expect(() => build({ retention: { archiveInfrequentAccessDays: 40, archiveGlacierDays: 40 } })).toThrow(
      'PipelineStorage: retention.archiveGlacierDays (40) must be greater than archiveInfrequentAccessDays (40)',
    );
    expect(() => build({ retention: { archiveExpireDays: 60 } })).toThrow(
      'PipelineStorage: retention.archiveExpireDays (60) must be greater than archiveGlacierDays (90)',
    );
    expect(() => build({ retention: { archiveInfrequentAccessDays: 10 } })).toThrow(
      'retention.archiveInfrequentAccessDays must be at least 30',
    );
  });
});
