import * as path from 'path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE, PIPELINE_ENVIRONMENT_ENV } from '../../contracts/constants';
import { acknowledge } from '../nag/acknowledge';

/** Repository root, for entry paths (`lambda/<function>/index.ts`). */
export const PROJECT_ROOT = path.join(__dirname, '..', '..');

/** Path of a function's entry point: `lambdaEntry('parser')` → `<root>/lambda/parser/index.ts`. */
export function lambdaEntry(functionFolder: string): string {
  return path.join(PROJECT_ROOT, 'lambda', functionFolder, 'index.ts');
}

/**
 * esbuild aliases for functions that bundle snowflake-sdk: the driver needs time-zone rules, not
 * moment-timezone's full history (0.7 MB minified). The 1970–2030 data build keeps every offset the
 * pipeline's metadata timestamps can carry and brings the provisioner bundle under 4 MB.
 */
export const SNOWFLAKE_DRIVER_ALIASES: Readonly<Record<string, string>> = {
  'moment-timezone': 'moment-timezone/builds/moment-timezone-with-data-1970-2030.min.js',
};

export interface PipelineFunctionProps {
  /** Folder under `lambda/` holding `index.ts` with the exported `handler`. */
  readonly functionFolder: string;
  /** Powertools service name (log `service` key and metric dimension). */
  readonly serviceName: string;
  /** Deployment environment name, published as PIPELINE_ENVIRONMENT (a metric dimension). */
  readonly environmentName: string;
  /** Extra environment variables. @default none */
  readonly environment?: Record<string, string>;
  /** @default Duration.seconds(60) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** CloudWatch log retention. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Removal policy of the log group. @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Compile-time constants for esbuild (`define`). @default none */
  readonly define?: Record<string, string>;
  /** esbuild module aliases (`{ from: to }`), e.g. {@link SNOWFLAKE_DRIVER_ALIASES}. @default none */
  readonly aliases?: Readonly<Record<string, string>>;
  /** Reserved concurrency. @default unreserved */
  readonly reservedConcurrentExecutions?: number;
  /** @default function description from the service name */
  readonly description?: string;
}

/**
 * The one way this project builds a Lambda function: Node.js 24 (the newest Lambda Node.js runtime, as
 * cdk-nag L1 requires) on ARM64, bundled locally with esbuild (minified, source maps on), X-Ray tracing,
 * an explicit log group with retention, its own execution role that may write to that log group only
 * (no AWS-managed policy), and the Powertools environment. Handlers live in `lambda/<folder>/index.ts`.
 */
export class PipelineFunction extends nodejs.NodejsFunction {
  /** The compile-time constants the bundle gets (esbuild `define`): what the handler reads as its globals. */
  readonly bundleDefine: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    // Own role instead of the AWS-managed AWSLambdaBasicExecutionRole: logs go to this log group only.
    const role = new iam.Role(scope, `${id}ServiceRole`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.serviceName} (${props.environmentName})`,
    });
    logGroup.grantWrite(role);
    super(scope, id, {
      role,
      entry: lambdaEntry(props.functionFolder),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout ?? Duration.seconds(60),
      memorySize: props.memorySize ?? 512,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      description: props.description ?? `${props.serviceName} (${props.environmentName})`,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        [PIPELINE_ENVIRONMENT_ENV]: props.environmentName,
        ...props.environment,
      },
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: 'node24',
        format: nodejs.OutputFormat.CJS,
        // Bundle the AWS SDK too: the function runs the exact versions the tests ran.
        externalModules: [],
        define: props.define,
        esbuildArgs: Object.fromEntries(
          Object.entries(props.aliases ?? {}).map(([from, to]) => [`--alias:${from}`, to]),
        ),
        logLevel: nodejs.LogLevel.ERROR,
        forceDockerBundling: false,
      },
    });
    this.bundleDefine = { ...props.define };
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acknowledge(
        policy,
        'AwsSolutions-IAM5',
        'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) supports no resource-level permissions.',
        ['Resource::*'],
      );
    }
  }
}
