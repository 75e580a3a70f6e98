import * as fs from 'fs';
import * as path from 'path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE, PIPELINE_ENVIRONMENT_ENV } from '../../contracts/constants';
import { acknowledge } from '../nag/acknowledge';
import { HANDLER_BUNDLE_FILE, HANDLER_BUNDLE_SETTINGS, HANDLER_FOLDERS, prebuiltHandlerDir } from './handler-bundles';
import { prebuiltCode } from './prebuilt-code';

export { SNOWFLAKE_DRIVER_ALIASES } from './handler-bundles';

/** Repository root, for entry paths (`lambda/<function>/index.ts`). */
export const PROJECT_ROOT = path.join(__dirname, '..', '..');

/** Path of a function's entry point: `lambdaEntry('parser')` → `<root>/lambda/parser/index.ts`. */
export function lambdaEntry(functionFolder: string): string {
  return path.join(PROJECT_ROOT, 'lambda', functionFolder, 'index.ts');
}

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
  /**
   * esbuild module aliases (`{ from: to }`), e.g. {@link SNOWFLAKE_DRIVER_ALIASES}; used when bundling from
   * source only (a pre-built bundle was built with its folder's aliases).
   * @default the folder's aliases in HANDLER_FOLDERS
   */
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
 *
 * The code is the pre-built bundle of the folder when one exists (the packaged library: `dist/handlers/`,
 * see handler-bundles.ts), else it is bundled from source with esbuild at synth (this repository).
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
      ...codeProps(props),
      role,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout ?? Duration.seconds(60),
      memorySize: props.memorySize ?? 512,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      description: props.description ?? `${props.serviceName} (${props.environmentName})`,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        [PIPELINE_ENVIRONMENT_ENV]: props.environmentName,
        ...props.environment,
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

/** The code part of the function's props: the pre-built bundle, or bundling from source. */
function codeProps(props: PipelineFunctionProps): nodejs.NodejsFunctionProps {
  const prebuilt = prebuiltHandlerDir(props.functionFolder);
  if (prebuilt) {
    return { code: prebuiltCode(prebuilt, props.define), handler: `${path.parse(HANDLER_BUNDLE_FILE).name}.handler` };
  }
  const entry = lambdaEntry(props.functionFolder);
  if (!fs.existsSync(entry)) {
    throw new Error(
      `PipelineFunction ${props.functionFolder}: neither a pre-built bundle nor the source ${entry} exists ` +
        '(a packaged library is built with `npm run build`, which pre-builds every handler)',
    );
  }
  const aliases = props.aliases ?? HANDLER_FOLDERS[props.functionFolder]?.aliases ?? {};
  return {
    entry,
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
    bundling: {
      minify: HANDLER_BUNDLE_SETTINGS.minify,
      sourceMap: HANDLER_BUNDLE_SETTINGS.sourceMap,
      sourcesContent: HANDLER_BUNDLE_SETTINGS.sourcesContent,
      target: HANDLER_BUNDLE_SETTINGS.target,
      format: nodejs.OutputFormat.CJS,
      // Bundle the AWS SDK too: the function runs the exact versions the tests ran.
      externalModules: [],
      define: props.define,
      esbuildArgs: Object.fromEntries(Object.entries(aliases).map(([from, to]) => [`--alias:${from}`, to])),
      logLevel: nodejs.LogLevel.ERROR,
      forceDockerBundling: false,
    },
  };
}
