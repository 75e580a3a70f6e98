/**
 * The app's stack of one environment as the CLIs find it: its name and the outputs it declares. `PipelineStack`
 * builds both from here, and `npm run replay` reads the outputs (CloudFormation DescribeStacks) when no bucket
 * names are given.
 */

/** `<project>-<env>-pipeline`: the CloudFormation stack name of an environment's `PipelineStack`. */
export function pipelineStackName(project: string, environmentName: string): string {
  return `${project}-${environmentName}-pipeline`;
}

/** Output keys (logical ids) of the app's stack, each holding a bucket name. */
export const PIPELINE_STACK_OUTPUTS = {
  /** Producers upload `<source>/<dataset>/…` here (the uploader's `--bucket`). */
  inboundBucket: 'InboundBucketName',
  /** Canonical NDJSON for Snowpipe, quarantine reports and file manifests. */
  stageBucket: 'StageBucketName',
  /** Originals, byte for byte (what `npm run replay` copies back into the inbound bucket). */
  archiveBucket: 'ArchiveBucketName',
} as const;
