import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { PROVISIONER_SERVICE, PROVISIONER_TIMING } from '../../contracts/constants';
import { PipelineFunction } from '../functions/pipeline-function';
import { acknowledge, arnFinding } from '../nag/acknowledge';
import { acknowledgeProviderFramework } from '../nag/cdk-helpers';
import { recordAcknowledgementsInTemplate } from '../nag/template-checks';

export interface SnowflakeProviderProps {
  /** Deployment environment name (function description, metric dimension). */
  readonly environmentName: string;
  /**
   * Timeout of one provisioner invocation; one invocation stops waiting after
   * PROVISIONER_TIMING.invocationBudgetFraction of it. @default PROVISIONER_TIMING.lambdaTimeoutSeconds
   */
  readonly timeout?: Duration;
  /**
   * Longest time one resource change may take across isComplete calls (IAM propagation, a pipe's
   * owed REFRESH, a task graph another change holds). @default PROVISIONER_TIMING.totalTimeoutMinutes
   */
  readonly totalTimeout?: Duration;
  /** Log retention of the provisioner and the framework function. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Removal policy of both log groups. @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The one custom resource provider of a stack for every Snowflake object: the Provider framework
 * with `lambda/snowflake-provisioner` as onEvent. Get it with {@link SnowflakeProvider.of}.
 */
export class SnowflakeProvider extends Construct {
  /** The stack's provider, created on first use. */
  static of(scope: Construct, props: SnowflakeProviderProps): SnowflakeProvider {
    const stack = Stack.of(scope);
    const id = 'SnowflakeProvider';
    return (stack.node.tryFindChild(id) as SnowflakeProvider | undefined) ?? new SnowflakeProvider(stack, id, props);
  }

  readonly onEventFunction: PipelineFunction;
  readonly serviceToken: string;
  private readonly granted = new Set<string>();

  private constructor(scope: Construct, id: string, props: SnowflakeProviderProps) {
    super(scope, id);
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    this.onEventFunction = new PipelineFunction(this, 'Provisioner', {
      functionFolder: 'snowflake-provisioner',
      serviceName: PROVISIONER_SERVICE,
      environmentName: props.environmentName,
      timeout: props.timeout ?? Duration.seconds(PROVISIONER_TIMING.lambdaTimeoutSeconds),
      memorySize: 512,
      logRetention: retention,
      logRemovalPolicy: props.logRemovalPolicy,
      description: `Creates and safely updates Snowflake objects (${props.environmentName})`,
    });
    // One function answers onEvent (validate) and isComplete (do the work, or "not yet" to be called
    // again): long waits run across calls, within totalTimeout, never inside one invocation.
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.onEventFunction,
      isCompleteHandler: this.onEventFunction,
      queryInterval: Duration.seconds(PROVISIONER_TIMING.queryIntervalSeconds),
      totalTimeout: props.totalTimeout ?? Duration.minutes(PROVISIONER_TIMING.totalTimeoutMinutes),
      // Every execution event is logged, never its data (resource attributes travel in it).
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: {
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
        destination: new logs.LogGroup(this, 'WaiterLogGroup', {
          retention,
          removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
        }),
      },
      logGroup: new logs.LogGroup(this, 'FrameworkLogGroup', {
        retention,
        removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
      }),
    });
    acknowledgeProviderFramework(provider, this.onEventFunction);
    // A stack-level singleton, outside any pipeline construct: its acknowledgements go into the template here.
    recordAcknowledgementsInTemplate(this);
    acknowledgeWaiter(provider);
    this.serviceToken = provider.serviceToken;
  }

  /** Lets the provisioner read the private-key secret `arn` (and nothing else). Idempotent. */
  grantKeySecret(arn: string): void {
    if (this.granted.has(arn)) return;
    const id = `KeySecret${this.granted.size}`;
    // A complete ARN ends with Secrets Manager's 6-character suffix; a partial one gets `-??????`.
    const secret = /-[A-Za-z0-9]{6}$/.test(arn)
      ? secretsmanager.Secret.fromSecretCompleteArn(this, id, arn)
      : secretsmanager.Secret.fromSecretPartialArn(this, id, arn);
    secret.grantRead(this.onEventFunction);
    this.granted.add(arn);
  }
}

/**
 * cdk-nag findings of the Provider framework's waiter (present because isComplete is set): its
 * role may invoke every version of the framework's isComplete and onTimeout functions, set up log
 * delivery (Resource "*" by AWS's design), and the Provider offers no X-Ray option for it.
 */
function acknowledgeWaiter(provider: cr.Provider): void {
  const waiter = provider.node.findChild('waiter-state-machine');
  const findings = ['framework-isComplete', 'framework-onTimeout'].map((id) =>
    arnFinding(provider.node.findChild(id), ':*'),
  );
  acknowledge(
    waiter,
    'AwsSolutions-IAM5',
    'CDK Provider framework waiter: lambda:InvokeFunction on the versions of its own isComplete and onTimeout functions.',
    findings,
  );
  acknowledge(
    waiter,
    'AwsSolutions-IAM5',
    'Step Functions execution logging: the logs:*LogDelivery / PutResourcePolicy / Describe* actions support no resource-level permissions (AWS requires Resource "*").',
    ['Resource::*'],
  );
  acknowledge(
    waiter,
    'AwsSolutions-SF2',
    'CDK Provider framework waiter: the Provider construct exposes no X-Ray tracing option for its state machine.',
  );
}
