import { Token, type Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { IDENTIFIER_PATTERN } from '../../contracts/config';
import { METRICS_NAMESPACE, SNOWFLAKE_FUNCTION_ENV } from '../../contracts/constants';
import { PipelineFunction } from '../functions/pipeline-function';
import { MonitoringPropsError } from './alarm-topic';

/** How a scheduled Snowflake function (health monitor, pipe refresher) signs in to Snowflake. */
export interface ScheduledSnowflakeConnection {
  /** Account identifier `<org>-<account>`. */
  readonly account: string;
  /** User with key-pair auth and a role holding the privileges the function's checks or statements need. */
  readonly user: string;
  readonly role: string;
  /** Warehouse for the function's queries (X-Small is plenty). */
  readonly warehouse: string;
  /** Secret holding the user's PEM private key. Read access is granted to the function. */
  readonly privateKeySecret: secretsmanager.ISecret;
  /** PrivateLink host. @default derived from the account */
  readonly host?: string;
}

export interface ScheduledSnowflakeFunctionProps {
  /** Folder under `lambda/` holding the handler. */
  readonly functionFolder: string;
  /** Powertools service name (log `service` key and metric dimension). */
  readonly serviceName: string;
  readonly environmentName: string;
  readonly connection: ScheduledSnowflakeConnection;
  /** Database and schema names, published as JSON in `SNOWFLAKE_SCHEMAS`. */
  readonly schemas: Readonly<Record<string, string | undefined>>;
  /** The function's own environment variables, after the connection and the schemas. */
  readonly environment: Record<string, string>;
  readonly timeout: Duration;
  /** @default the PipelineFunction default, from the service name */
  readonly description?: string;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Removal policy of the function's log group. @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Run period of the schedule rule. */
  readonly schedule: Duration;
  readonly ruleDescription: string;
  /** How long a scheduled event may wait for the function before it is dropped. */
  readonly maxEventAge: Duration;
}

/**
 * A scheduled Snowflake function, added to `scope` as `Function` (with its log group and role) and
 * `Schedule`: the function bundles the Snowflake driver, gets the connection (JSON, the key secret's
 * ARN only) and the schemas in its environment and read access to the key secret; the rule invokes it
 * every `schedule` period without retries (the next run is the retry).
 */
export function addScheduledSnowflakeFunction(
  scope: Construct,
  props: ScheduledSnowflakeFunctionProps,
): { readonly function: PipelineFunction; readonly rule: events.Rule } {
  const c = props.connection;
  const fn = new PipelineFunction(scope, 'Function', {
    functionFolder: props.functionFolder,
    serviceName: props.serviceName,
    environmentName: props.environmentName,
    timeout: props.timeout,
    memorySize: 256,
    logRetention: props.logRetention,
    logRemovalPolicy: props.logRemovalPolicy,
    description: props.description,
    environment: {
      [SNOWFLAKE_FUNCTION_ENV.connection]: JSON.stringify({
        account: c.account,
        user: c.user,
        role: c.role,
        warehouse: c.warehouse,
        privateKeySecretArn: c.privateKeySecret.secretArn,
        ...(c.host ? { host: c.host } : {}),
      }),
      [SNOWFLAKE_FUNCTION_ENV.schemas]: JSON.stringify(props.schemas),
      ...props.environment,
    },
  });
  c.privateKeySecret.grantRead(fn);

  const rule = new events.Rule(scope, 'Schedule', {
    description: props.ruleDescription,
    schedule: events.Schedule.rate(props.schedule),
    targets: [new targets.LambdaFunction(fn, { retryAttempts: 0, maxEventAge: props.maxEventAge })],
  });
  return { function: fn, rule };
}

/**
 * Checks a scheduled function's `datasets` prop: not empty, each a dataset name. `allowTokens` lets
 * unresolved tokens through (only where the names go into an environment variable, not into construct
 * ids or alarm names). Throws {@link MonitoringPropsError} prefixed with `owner`.
 */
export function checkDatasetNames(
  owner: string,
  datasets: readonly string[],
  options: { readonly allowTokens?: boolean } = {},
): void {
  if (datasets.length === 0) throw new MonitoringPropsError(`${owner}: datasets must not be empty`);
  datasets.forEach((d, i) => {
    if (options.allowTokens && Token.isUnresolved(d)) return;
    if (!IDENTIFIER_PATTERN.test(d))
      throw new MonitoringPropsError(`${owner}: datasets[${i}] "${d}" is not a dataset name`);
  });
}

/**
 * The metrics a scheduled function publishes (namespace METRICS_NAMESPACE, dimensions service and
 * environment, and dataset when given), one datapoint per `period` (the schedule).
 */
export function scheduledFunctionMetric(
  serviceName: string,
  environmentName: string,
  period: Duration,
): (name: string, statistic: string, dataset?: string) => cw.Metric {
  return (name, statistic, dataset) =>
    new cw.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: name,
      dimensionsMap: { service: serviceName, environment: environmentName, ...(dataset ? { dataset } : {}) },
      statistic,
      period,
    });
}
