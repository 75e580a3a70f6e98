import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { MANIFEST_PREFIX, QUARANTINE_PREFIX, STAGE_DATA_PREFIX } from '../../contracts/constants';
import { DEFAULT_RETENTION } from '../../contracts/defaults';
import { acknowledge } from '../nag/acknowledge';

/** Retention periods of one environment (see `retention` in the config reference). */
export type { RetentionSpec } from '../../contracts/config';
import type { RetentionSpec } from '../../contracts/config';

/** Days after which incomplete multipart uploads are aborted, per bucket. */
export const ABORT_INCOMPLETE_UPLOADS_DAYS = { inbound: 7, stage: 1, archive: 1 } as const;

export interface PipelineStorageProps {
  /**
   * Prefix of physical names (the key alias is `alias/<namePrefix>-pipeline`), e.g. `ingest-dev`.
   * Lower-case letters, digits and hyphens.
   */
  readonly namePrefix: string;
  /**
   * What happens to the buckets and the key when they leave the stack: `DESTROY` empties and deletes
   * the buckets and schedules the key for deletion (dev); `RETAIN` keeps everything (prod).
   */
  readonly removalPolicy: RemovalPolicy;
  /** Lifecycle periods. @default DEFAULT_RETENTION (archive objects never expire) */
  readonly retention?: RetentionSpec;
  /**
   * Customer-managed key for the inbound, stage and archive buckets and the pipeline's queues.
   * S3 → SQS notifications cannot use the AWS-managed SQS key, hence a customer-managed one.
   * @default a new key with yearly rotation and the alias `alias/<namePrefix>-pipeline`
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The pipeline's storage: a customer-managed KMS key and four buckets.
 *
 * - `inboundBucket`: producers upload `<source>/<dataset>/…`; versioned, so every upload is kept until the parser
 *   has archived that version and removed it.
 * - `stageBucket`: parser output under `data/` (read by Snowpipe), rejects under `quarantine/`, file manifests
 *   under `manifests/`.
 * - `archiveBucket`: every original, byte for byte; versioned; moves to Standard-IA then Glacier.
 * - `accessLogBucket`: S3 server access logs of the three others (SSE-S3: log delivery cannot
 *   write to SSE-KMS buckets).
 *
 * All buckets block public access, deny non-TLS requests and use bucket keys (SSE-KMS) to cut KMS calls.
 */
export class PipelineStorage extends Construct {
  /** Key encrypting the data buckets and the queues. */
  readonly key: kms.IKey;
  readonly inboundBucket: s3.Bucket;
  readonly stageBucket: s3.Bucket;
  readonly archiveBucket: s3.Bucket;
  readonly accessLogBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: PipelineStorageProps) {
    super(scope, id);
    // The buckets own their objects (no ACLs): access logs are delivered under a bucket policy, whatever the
    // app's feature flags say (without this flag CDK would add an ACL the ownership setting forbids).
    this.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const retention = {
      archiveInfrequentAccessDays:
        props.retention?.archiveInfrequentAccessDays ?? DEFAULT_RETENTION.archiveInfrequentAccessDays,
      archiveGlacierDays: props.retention?.archiveGlacierDays ?? DEFAULT_RETENTION.archiveGlacierDays,
      archiveExpireDays: props.retention?.archiveExpireDays,
      stageExpireDays: props.retention?.stageExpireDays ?? DEFAULT_RETENTION.stageExpireDays,
      quarantineExpireDays: props.retention?.quarantineExpireDays ?? DEFAULT_RETENTION.quarantineExpireDays,
      accessLogExpireDays: props.retention?.accessLogExpireDays ?? DEFAULT_RETENTION.accessLogExpireDays,
    };
    validateProps(props, retention);
    const destroy = props.removalPolicy === RemovalPolicy.DESTROY;
    const removal = { removalPolicy: props.removalPolicy, autoDeleteObjects: destroy };

    this.key =
      props.encryptionKey ??
      new kms.Key(this, 'Key', {
        description: `${props.namePrefix} pipeline: inbound, stage and archive buckets and queues`,
        alias: `alias/${props.namePrefix}-pipeline`,
        enableKeyRotation: true,
        removalPolicy: props.removalPolicy,
        pendingWindow: destroy ? Duration.days(7) : undefined,
      });

    this.accessLogBucket = new s3.Bucket(this, 'AccessLogBucket', {
      ...removal,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(retention.accessLogExpireDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    acknowledge(
      this.accessLogBucket,
      'AwsSolutions-S1',
      'This is the server-access-log bucket itself; logging it into itself would loop.',
    );

    const dataBucket = (bucketId: string, logPrefix: string, extra: Partial<s3.BucketProps>) =>
      new s3.Bucket(this, bucketId, {
        ...removal,
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: this.key,
        bucketKeyEnabled: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        enforceSSL: true,
        minimumTLSVersion: 1.2,
        serverAccessLogsBucket: this.accessLogBucket,
        serverAccessLogsPrefix: logPrefix,
        ...extra,
      });

    // Versioned: a re-upload of a key before the parser ran must not destroy the earlier upload. Each version's
    // own event reads it by VersionId, archives it under its own key, and deletes exactly that version. No
    // noncurrent-version expiry: a version waiting in the DLQ is data, not garbage.
    this.inboundBucket = dataBucket('InboundBucket', 'inbound/', {
      versioned: true,
      lifecycleRules: [
        {
          id: 'abort-incomplete-uploads',
          abortIncompleteMultipartUploadAfter: Duration.days(ABORT_INCOMPLETE_UPLOADS_DAYS.inbound),
        },
        { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
      ],
    });

    this.denyUnreadableUploads();

    this.stageBucket = dataBucket('StageBucket', 'stage/', {
      lifecycleRules: [
        {
          id: 'abort-incomplete-uploads',
          abortIncompleteMultipartUploadAfter: Duration.days(ABORT_INCOMPLETE_UPLOADS_DAYS.stage),
        },
        { id: 'expire-staged-data', prefix: STAGE_DATA_PREFIX, expiration: Duration.days(retention.stageExpireDays) },
        // File manifests are loaded into Snowflake (OPS.FILE_MANIFESTS) like the staged data: same period.
        { id: 'expire-manifests', prefix: MANIFEST_PREFIX, expiration: Duration.days(retention.stageExpireDays) },
        {
          id: 'expire-quarantine',
          prefix: QUARANTINE_PREFIX,
          expiration: Duration.days(retention.quarantineExpireDays),
        },
      ],
    });

    this.archiveBucket = dataBucket('ArchiveBucket', 'archive/', {
      versioned: true,
      lifecycleRules: [
        {
          id: 'abort-incomplete-uploads',
          abortIncompleteMultipartUploadAfter: Duration.days(ABORT_INCOMPLETE_UPLOADS_DAYS.archive),
        },
        {
          id: 'tier-archive',
          transitions: [
            {
              storageClass: s3.StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(retention.archiveInfrequentAccessDays),
            },
            { storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(retention.archiveGlacierDays) },
          ],
          noncurrentVersionTransitions: [
            {
              storageClass: s3.StorageClass.GLACIER,
              transitionAfter: Duration.days(retention.archiveGlacierDays),
            },
          ],
          ...(retention.archiveExpireDays !== undefined
            ? {
                expiration: Duration.days(retention.archiveExpireDays),
                noncurrentVersionExpiration: Duration.days(retention.archiveExpireDays),
              }
            : {}),
        },
      ],
    });
  }

  /**
   * Uploads the parser could not read fail at upload time instead of in the dead-letter queue: a producer may
   * rely on the default encryption or name the pipeline key, but not another KMS key or SSE-C.
   */
  private denyUnreadableUploads(): void {
    const objects = this.inboundBucket.arnForObjects('*');
    this.inboundBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyUploadsWithAnotherKmsKey',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [objects],
        conditions: {
          Null: { [KMS_KEY_ID_HEADER]: 'false' },
          StringNotEquals: { [KMS_KEY_ID_HEADER]: this.key.keyArn },
        },
      }),
    );
    this.inboundBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyUploadsWithCustomerKeys',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [objects],
        conditions: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } },
      }),
    );
  }
}

/** S3 condition key holding the KMS key a request names (absent when the bucket default applies). */
const KMS_KEY_ID_HEADER = 's3:x-amz-server-side-encryption-aws-kms-key-id';

function validateProps(
  props: PipelineStorageProps,
  r: { archiveInfrequentAccessDays: number; archiveGlacierDays: number; archiveExpireDays?: number },
): void {
  if (!Token.isUnresolved(props.namePrefix) && !/^[a-z][a-z0-9-]{0,40}$/.test(props.namePrefix)) {
    throw new Error(
      `PipelineStorage: namePrefix "${props.namePrefix}" must match ^[a-z][a-z0-9-]{0,40}$ (it becomes the key alias)`,
    );
  }
  if (props.removalPolicy !== RemovalPolicy.DESTROY && props.removalPolicy !== RemovalPolicy.RETAIN) {
    throw new Error(`PipelineStorage: removalPolicy must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN`);
  }
  if (r.archiveInfrequentAccessDays < 30) {
    throw new Error(
      `PipelineStorage: retention.archiveInfrequentAccessDays must be at least 30 (S3 minimum for Standard-IA), got ${r.archiveInfrequentAccessDays}`,
    );
  }
  if (r.archiveGlacierDays <= r.archiveInfrequentAccessDays) {
    throw new Error(
      `PipelineStorage: retention.archiveGlacierDays (${r.archiveGlacierDays}) must be greater than archiveInfrequentAccessDays (${r.archiveInfrequentAccessDays})`,
    );
  }
  if (r.archiveExpireDays !== undefined && r.archiveExpireDays <= r.archiveGlacierDays) {
    throw new Error(
      `PipelineStorage: retention.archiveExpireDays (${r.archiveExpireDays}) must be greater than archiveGlacierDays (${r.archiveGlacierDays})`,
    );
  }
}
