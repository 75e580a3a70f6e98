import { readFileSync } from 'fs';
import { join } from 'path';
import { App, type CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { HealthMonitor, type HealthMonitorProps } from '../../../lib/monitoring/health-monitor';
import { HEALTH_RUNBOOK_ANCHORS } from '../../../lib/monitoring/runbook';
import { expectScheduleRule, expectSecretReadGrant, testPipelineMonitoring } from '../monitoring-fixture';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:snowflake/monitor-AbCdEf';

/** GIVEN the pipeline monitoring and a health monitor for `datasets` (bundling skipped: no esbuild run). */
function build(overrides: Partial<Omit<HealthMonitorProps, 'monitoring' | 'connection'>> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const monitoring = testPipelineMonitoring(stack, { freshnessMinutes: 30 });
  const health = new HealthMonitor(stack, 'Health', {
    environmentName: 'dev',
    monitoring,
    datasets: ['orders', 'events'],
    schemas: { database: 'INGEST' },
    connection: {
      account: 'ORG-DEV',
      user: 'PIPELINE_MONITOR',
      role: 'PIPELINE_MONITOR',
      warehouse: 'MONITOR_WH',
      privateKeySecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Key', SECRET_ARN),
    },
    ...overrides,
  });
  return { stack, monitoring, health, template: Template.fromStack(stack) };
}

/** Dimensions as CDK renders them (sorted by name). */
const dims = (dataset?: string) => [
  ...(dataset ? [{ Name: 'dataset', Value: dataset }] : []),
  { Name: 'environment', Value: 'dev' },
  { Name: 'service', Value: 'health-monitor' },
];

describe('HealthMonitor', () => {
  const { stack, monitoring, health, template } = build();
  const topicRef = { Ref: stack.resolve((monitoring.topic.node.defaultChild as CfnResource).logicalId) };
  const fnId = stack.resolve((health.function.node.defaultChild as CfnResource).logicalId) as string;

  test('GIVEN the monitor THEN the function gets the connection, schemas, datasets and window, and no key material', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          SNOWFLAKE_CONNECTION: JSON.stringify({
            account: 'ORG-DEV',
            user: 'PIPELINE_MONITOR',
            role: 'PIPELINE_MONITOR',
            warehouse: 'MONITOR_WH',
            privateKeySecretArn: SECRET_ARN,
          }),
          SNOWFLAKE_SCHEMAS: '{"database":"INGEST"}',
          HEALTH_MONITOR_DATASETS: 'orders,events',
          HEALTH_MONITOR_WINDOW_MINUTES: '5',
          POWERTOOLS_SERVICE_NAME: 'health-monitor',
          PIPELINE_ENVIRONMENT: 'dev',
        }),
      },
      Timeout: 300,
    });
    expectSecretReadGrant(template, SECRET_ARN);
  });

  test('GIVEN the default schedule THEN an EventBridge rule runs it every 5 minutes without retries', () => {
    expectScheduleRule(template, fnId, 'rate(5 minutes)', 120);
  });

  test.each([
    ['PipeNotRunning', 'Maximum', 0, 'GreaterThanThreshold', 2, HEALTH_RUNBOOK_ANCHORS.pipeNotRunning],
    ['PipeBacklog', 'Minimum', 0, 'GreaterThanThreshold', 6, HEALTH_RUNBOOK_ANCHORS.pipeBacklog],
    ['LoadErrors', 'Sum', 0, 'GreaterThanThreshold', 1, HEALTH_RUNBOOK_ANCHORS.loadErrors],
    ['TaskFailures', 'Sum', 0, 'GreaterThanThreshold', 1, HEALTH_RUNBOOK_ANCHORS.taskFailures],
    ['TaskSuspended', 'Maximum', 0, 'GreaterThanThreshold', 2, HEALTH_RUNBOOK_ANCHORS.taskSuspended],
    ['StreamStale', 'Maximum', 0, 'GreaterThanThreshold', 1, HEALTH_RUNBOOK_ANCHORS.streamStale],
    ['StreamStaleSoon', 'Minimum', 48, 'LessThanThreshold', 1, HEALTH_RUNBOOK_ANCHORS.streamStale],
    ['Freshness', 'Maximum', 1800, 'GreaterThanThreshold', 1, HEALTH_RUNBOOK_ANCHORS.freshness],
    ['CheckErrors', 'Maximum', 0, 'GreaterThanThreshold', 2, HEALTH_RUNBOOK_ANCHORS.checkErrors],
  ] as const)(
    'GIVEN dataset orders THEN alarm %s uses the %s statistic, threshold %d (%s), %d datapoint(s)',
    (alarm, statistic, threshold, comparison, datapoints, anchor) => {
      const metricName = {
        PipeNotRunning: 'PipeNotRunning',
        PipeBacklog: 'PipePendingFiles',
        LoadErrors: 'LoadFailedFiles',
        TaskFailures: 'TaskFailedRuns',
        TaskSuspended: 'TaskSuspended',
        StreamStale: 'StreamStale',
        StreamStaleSoon: 'StreamHoursToStale',
        Freshness: 'MergeOldestPendingSeconds',
        CheckErrors: 'CheckErrors',
      }[alarm];
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `ingest-dev-Pipeline-${alarm}-orders-Alarm`,
        Namespace: 'S3SnowflakePipeline',
        MetricName: metricName,
        Dimensions: dims('orders'),
        Statistic: statistic,
        Period: 300,
        Threshold: threshold,
        ComparisonOperator: comparison,
        DatapointsToAlarm: datapoints,
        EvaluationPeriods: datapoints,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicRef],
        OKActions: [topicRef],
        AlarmDescription: Match.stringLikeRegexp(`orders.*\\s+Runbook: docs/operations\\.md#${anchor}$`),
      });
    },
  );

  test('GIVEN the monitor THEN a heartbeat alarm fires when runs stop (missing data breaches)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'ingest-dev-Pipeline-HealthMonitorHeartbeat-Alarm',
      MetricName: 'MonitorRuns',
      Dimensions: dims(),
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      DatapointsToAlarm: 3,
      TreatMissingData: 'breaching',
      AlarmActions: [topicRef],
    });
    // 9 pipeline alarms + heartbeat + 9 per dataset
    template.resourceCountIs('AWS::CloudWatch::Alarm', 9 + 1 + 9 * 2);
  });

  test('GIVEN the runbook THEN every health alarm anchor is a section of docs/operations.md', () => {
    const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'operations.md'), 'utf8');
    for (const anchor of Object.values(HEALTH_RUNBOOK_ANCHORS)) expect(doc).toContain(`<a id="${anchor}"></a>`);
  });

  test.each([
    [{ datasets: [] }, 'datasets must not be empty'],
    [{ datasets: ['Orders'] }, 'datasets[0] "Orders" is not a dataset name'],
    [{ schedule: Duration.seconds(90) }, 'schedule must be a whole number of minutes'],
    [{ freshnessMinutes: 4 }, 'freshnessMinutes 4 must be at least the schedule (5)'],
    [{ freshnessMinutes: 1441 }, 'freshnessMinutes 1441 must be at most 1440'],
  ] as [Partial<HealthMonitorProps>, string][])(
    'GIVEN %j THEN the constructor names the property',
    (overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    },
  );
});
