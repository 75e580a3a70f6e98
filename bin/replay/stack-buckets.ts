/**
 * Bucket names of a deployed environment, read from its stack's outputs (CloudFormation DescribeStacks), so
 * `npm run replay -- --env prod …` works without `--archive-bucket` / `--inbound-bucket`. The output keys and the
 * stack name come from contracts/stack-outputs.ts, the same module `PipelineStack` declares them from.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { PIPELINE_STACK_OUTPUTS } from '../../contracts/stack-outputs';
import { ReplayArgsError } from './args';

export interface StackLocation {
  readonly stackName: string;
  /** The environment's region (where its stack is deployed). */
  readonly region: string;
  /** The environment's account, named in errors (credentials for another account do not see the stack). */
  readonly account: string;
}

export interface StackBuckets {
  readonly archiveBucket: string;
  readonly inboundBucket: string;
}

/**
 * Reads the archive and inbound bucket names from the stack's outputs. Throws {@link ReplayArgsError} naming the
 * flags to pass instead when the stack cannot be read or lacks an output (e.g. deployed by an older version).
 */
export async function bucketsFromStack(location: StackLocation): Promise<StackBuckets> {
  const { stackName, region, account } = location;
  const where = `stack ${stackName} (account ${account}, ${region})`;
  const instead = 'pass --archive-bucket and --inbound-bucket (or $ARCHIVE_BUCKET and $INBOUND_BUCKET)';
  // Credentials and a custom endpoint (`AWS_ENDPOINT_URL_CLOUDFORMATION`, `AWS_ENDPOINT_URL`) come from the SDK's
  // own standard chain and variables, as for the S3 client.
  const client = new CloudFormationClient({ region });
  let outputs: Map<string, string>;
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = new Map((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (error) {
    const { name, message } = error as Error;
    throw new ReplayArgsError('--env', `cannot read the bucket names from ${where}: ${name}: ${message}; ${instead}`, {
      cause: error,
    });
  } finally {
    client.destroy();
  }
  const read = (key: string): string => {
    const value = outputs.get(key);
    if (!value) {
      throw new ReplayArgsError(
        '--env',
        `${where} has no output ${key} (deployed by a version before the bucket outputs? deploy again); ${instead}`,
      );
    }
    return value;
  };
  return {
    archiveBucket: read(PIPELINE_STACK_OUTPUTS.archiveBucket),
    inboundBucket: read(PIPELINE_STACK_OUTPUTS.inboundBucket),
  };
}
