/**
 * The replay command: arguments → scope from the config → plan (listing) → copies → report.
 * `runReplayCli` returns the exit code instead of exiting, so tests run it in-process.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../lambda/shared/s3-client';
import { localS3Client } from '../sandbox/s3-server';
import { pipelineStackName } from '../../contracts/stack-outputs';
import { checkBucketName, checkBucketPair, parseReplayArgs, ReplayArgsError, USAGE, type ReplayArgs } from './args';
import { planReplay } from './plan';
import { executePlan } from './replay';
import { exitCodeOf, progressLine, summarize, summaryLines, writeReport, type ReplayReport } from './report';
import { loadConfigFile, resolveScope } from './scope';
import { bucketsFromStack, type StackBuckets } from './stack-buckets';

/** Exit code for invalid arguments or config. */
export const EXIT_BAD_ARGUMENTS = 2;

export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  /** Summary lines. */
  readonly out: (line: string) => void;
  /** Progress and error lines. */
  readonly err: (line: string) => void;
  /** @default createS3Client(env) with the region from $AWS_REGION, else the environment's region */
  readonly s3?: S3Client;
  /** Reads bucket names from the deployed stack when arguments give none. @default bucketsFromStack (CloudFormation) */
  readonly stackBuckets?: typeof bucketsFromStack;
}

/** Runs a replay for already-validated arguments and sources; returns the report (also written to `--report`). */
export async function runReplay(
  args: ReplayArgs,
  sources: readonly string[],
  s3: S3Client,
  progress: (line: string) => void = () => undefined,
): Promise<ReplayReport> {
  const startedAt = new Date().toISOString();
  const plan = await planReplay(s3, {
    archiveBucket: args.archiveBucket,
    dataset: args.dataset,
    sources,
    from: args.from,
    to: args.to,
    includeUnrouted: args.includeUnrouted,
  });
  const items = await executePlan(s3, plan, {
    archiveBucket: args.archiveBucket,
    inboundBucket: args.inboundBucket,
    dryRun: args.dryRun,
    concurrency: args.concurrency,
    onItem: (item, done, total) => progress(progressLine(item, done, total)),
  });
  const summary = summarize(items);
  const report: ReplayReport = {
    environment: args.environment,
    dataset: args.dataset,
    sources,
    from: args.from,
    to: args.to,
    dryRun: args.dryRun,
    includeUnrouted: args.includeUnrouted,
    archiveBucket: args.archiveBucket,
    inboundBucket: args.inboundBucket,
    startedAt,
    finishedAt: new Date().toISOString(),
    summary,
    exitCode: exitCodeOf(summary),
    items,
  };
  if (args.reportFile) await writeReport(args.reportFile, report);
  return report;
}

/** The CLI: 0 complete, 1 some files failed, 2 bad arguments/config, 3 incomplete (files need action). */
export async function runReplayCli(argv: readonly string[], io: CliIo): Promise<number> {
  let args: ReplayArgs;
  let sources: readonly string[];
  let region: string;
  try {
    const parsed = parseReplayArgs(argv, io.env);
    const config = loadConfigFile(parsed.configFile ?? (io.env.PIPELINE_CONFIG || undefined));
    let account: string;
    ({ sources, region, account } = resolveScope(config, parsed));
    let fromStack: StackBuckets | undefined;
    if (parsed.archiveBucket === undefined || parsed.inboundBucket === undefined) {
      const stackName = pipelineStackName(config.project, parsed.environment);
      fromStack = await (io.stackBuckets ?? bucketsFromStack)({ stackName, region, account });
      io.err(`buckets from stack ${stackName}: archive ${fromStack.archiveBucket}, inbound ${fromStack.inboundBucket}`);
      checkBucketName('--archive-bucket', fromStack.archiveBucket);
      checkBucketName('--inbound-bucket', fromStack.inboundBucket);
    }
    args = {
      ...parsed,
      archiveBucket: parsed.archiveBucket ?? fromStack!.archiveBucket,
      inboundBucket: parsed.inboundBucket ?? fromStack!.inboundBucket,
    };
    checkBucketPair(args.archiveBucket, args.inboundBucket);
  } catch (error) {
    if (!(error instanceof ReplayArgsError)) throw error;
    io.err(error.flag === '--help' ? USAGE : `replay: ${error.message}\n\n${USAGE}`);
    return error.flag === '--help' ? 0 : EXIT_BAD_ARGUMENTS;
  }
  // The SDK reads credentials and AWS_ENDPOINT_URL(_S3) from the process environment itself; the
  // region falls back to the environment's configured region.
  const s3 =
    io.s3 ??
    (args.sandbox
      ? localS3Client(args.sandbox.s3Endpoint)
      : createS3Client(io.env, { region: io.env.AWS_REGION || io.env.AWS_DEFAULT_REGION || region }));
  const report = await runReplay(args, sources, s3, io.err);
  for (const line of summaryLines(report)) io.out(line);
  if (args.reportFile) io.out(`report: ${args.reportFile}`);
  if (report.exitCode === 3) {
    io.out('incomplete: some files need action (see the reasons above and docs/operations.md#replay-reasons)');
  }
  return report.exitCode;
}
