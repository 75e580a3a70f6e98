import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { PROVISIONER_SERVICE } from '../../contracts/constants';
import { PipelineFunction, SNOWFLAKE_DRIVER_ALIASES } from '../functions/pipeline-function';
import { acknowledgeProviderFramework } from '../nag/cdk-helpers';

export interface SnowflakeProviderProps {
  /** Deployment environment name (function description, metric dimension). */
  readonly environmentName: string;
  /** Provisioner timeout: covers a pipe drain wait plus retries. @default Duration.minutes(10) */
  readonly timeout?: Duration;
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
      aliases: SNOWFLAKE_DRIVER_ALIASES,
      serviceName: PROVISIONER_SERVICE,
      environmentName: props.environmentName,
      timeout: props.timeout ?? Duration.minutes(10),
      memorySize: 512,
      logRetention: retention,
      logRemovalPolicy: props.logRemovalPolicy,
      description: `Creates and safely updates Snowflake objects (${props.environmentName})`,
    });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.onEventFunction,
      logGroup: new logs.LogGroup(this, 'FrameworkLogGroup', {
        retention,
        removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
      }),
    });
    acknowledgeProviderFramework(provider, this.onEventFunction);
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
