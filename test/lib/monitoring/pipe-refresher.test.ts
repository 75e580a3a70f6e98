/** Template tests of the missed-notification safety net: function, schedule, secret grant, alarms, props. */
import { readFileSync } from 'fs';
import { join } from 'path';
import { App, type CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { MonitoringPropsError } from '../../../lib/monitoring/alarm-topic';
import { PipeRefresher, type PipeRefresherProps } from '../../../lib/monitoring/pipe-refresher';
import { PIPE_REFRESHER_RUNBOOK_ANCHORS } from '../../../lib/monitoring/runbook';
import { acknowledgeCdkHelpers } from '../../../lib/nag/cdk-helpers';
import { addNagChecks } from '../../../lib/nag/checks';
import { expectScheduleRule, expectSecretReadGrant, testPipelineMonitoring } from '../monitoring-fixture';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:snowflake/refresher-AbCdEf';

/** GIVEN the pipeline monitoring and a pipe refresher (bundling skipped: no esbuild run). */
function build(overrides: Partial<Omit<PipeRefresherProps, 'monitoring' | 'connection'>> = {}, nag = false) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  if (nag) addNagChecks(app);
  const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const monitoring = testPipelineMonitoring(stack);
  const refresher = new PipeRefresher(stack, 'Refresher', {
    environmentName: 'dev',
    monitoring,
    datasets: ['orders', 'events'],
    schemas: { database: 'INGEST' },
    connection: {
      account: 'ORG-DEV',
      user: 'PIPELINE_REFRESHER',
      role: 'PIPELINE_REFRESHER',
      warehouse: 'MONITOR_WH',
      privateKeySecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Key', SECRET_ARN),
    },
    ...overrides,
  });
  if (nag) acknowledgeCdkHelpers(stack);
  return { app, stack, monitoring, refresher };
}

describe('PipeRefresher', () => {
  const { stack, monitoring, refresher } = build();
  const template = Template.fromStack(stack);
  const topicRef = { Ref: stack.resolve((monitoring.topic.node.defaultChild as CfnResource).logicalId) };
  const fnId = stack.resolve((refresher.function.node.defaultChild as CfnResource).logicalId) as string;
  const dims = [
    { Name: 'environment', Value: 'dev' },
    { Name: 'service', Value: 'pipe-refresher' },
  ];

  test('GIVEN the refresher THEN the function gets the connection, schemas, datasets and lookback, and no key material', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          SNOWFLAKE_CONNECTION: JSON.stringify({
            account: 'ORG-DEV',
            user: 'PIPELINE_REFRESHER',
            role: 'PIPELINE_REFRESHER',
            warehouse: 'MONITOR_WH',
            privateKeySecretArn: SECRET_ARN,
          }),
          SNOWFLAKE_SCHEMAS: '{"database":"INGEST"}',
          PIPE_REFRESHER_DATASETS: 'orders,events',
          PIPE_REFRESHER_LOOKBACK_DAYS: '2',
          POWERTOOLS_SERVICE_NAME: 'pipe-refresher',
          PIPELINE_ENVIRONMENT: 'dev',
        }),
      },
      Timeout: 300,
    });
    expectSecretReadGrant(template, SECRET_ARN);
  });

  test('GIVEN the default schedule THEN an EventBridge rule runs it hourly without retries', () => {
    expectScheduleRule(template, fnId, 'rate(1 hour)', 300);
  });

  test.each([
    [
      'PipeRefreshFailures',
      'RefreshFailures',
      'GreaterThanThreshold',
      0,
      1,
      'notBreaching',
      PIPE_REFRESHER_RUNBOOK_ANCHORS.failures,
    ],
    [
      'PipeRefresherHeartbeat',
      'RefresherRuns',
      'LessThanThreshold',
      1,
      2,
      'breaching',
      PIPE_REFRESHER_RUNBOOK_ANCHORS.heartbeat,
    ],
    [
      'PipeRefreshQueuedFiles',
      'RefreshFilesQueued',
      'GreaterThanThreshold',
      0,
      2,
      'notBreaching',
      PIPE_REFRESHER_RUNBOOK_ANCHORS.queuedFiles,
    ],
  ] as const)(
    'GIVEN the refresher THEN alarm %s on %s (%s %d, %d datapoint(s), missing %s) notifies the topic with its runbook link',
    (alarm, metricName, comparison, threshold, datapoints, missing, anchor) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `ingest-dev-Pipeline-${alarm}-Alarm`,
        Namespace: 'S3SnowflakePipeline',
        MetricName: metricName,
        Dimensions: dims,
        Statistic: 'Sum',
        Period: 3600,
        Threshold: threshold,
        ComparisonOperator: comparison,
        DatapointsToAlarm: datapoints,
        EvaluationPeriods: datapoints,
        TreatMissingData: missing,
        AlarmActions: [topicRef],
        OKActions: [topicRef],
        AlarmDescription: Match.stringLikeRegexp(`Runbook: docs/operations\\.md#${anchor}$`),
      });
    },
  );

  test('GIVEN the refresher THEN its function errors alarm (hourly sum > 0) notifies the topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'ingest-dev-Pipeline-PipeRefresherErrors-Alarm',
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
      Statistic: 'Sum',
      Period: 3600,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [topicRef],
      AlarmDescription: Match.stringLikeRegexp(`#${PIPE_REFRESHER_RUNBOOK_ANCHORS.errors}$`),
    });
    expect(refresher.alarms).toHaveLength(4);
  });

  test('THEN every runbook anchor of the refresher exists in docs/operations.md', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/operations.md'), 'utf8');
    for (const anchor of Object.values(PIPE_REFRESHER_RUNBOOK_ANCHORS)) expect(doc).toContain(`<a id="${anchor}"></a>`);
  });
});

describe('PipeRefresher options', () => {
  test('GIVEN a 15-minute schedule and a 7-day lookback THEN the rule, the alarm periods and the lookback follow', () => {
    const { stack } = build({ schedule: Duration.minutes(15), lookbackDays: 7 });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PIPE_REFRESHER_LOOKBACK_DAYS: '7' }) },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'ingest-dev-Pipeline-PipeRefreshFailures-Alarm',
      Period: 900,
    });
  });

  test.each([
    [{ datasets: [] }, 'datasets must not be empty'],
    [{ datasets: ['Orders'] }, 'datasets[0] "Orders" is not a dataset name'],
    [{ schedule: Duration.minutes(2) }, 'schedule must be a whole number of minutes from 5 to 720'],
    [{ schedule: Duration.hours(13) }, 'schedule must be a whole number of minutes from 5 to 720'],
    [{ schedule: Duration.seconds(330) }, 'schedule must be a whole number of minutes'],
    [{ lookbackDays: 8 }, "lookbackDays must be an integer from 1 to 7 (Snowflake's REFRESH window)"],
    [{ lookbackDays: 0 }, 'lookbackDays must be an integer from 1 to 7'],
    [
      { lookbackDays: 1, schedule: Duration.hours(2) },
      'lookbackDays 1 (today only) needs a schedule of at most 1 hour',
    ],
  ])('GIVEN %j THEN the constructor refuses it naming the property', (override, message) => {
    let error: unknown;
    try {
      build(override as Partial<PipeRefresherProps>);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MonitoringPropsError);
    expect((error as Error).message).toContain(`PipeRefresher: ${message}`);
  });

  test('GIVEN the refresher WHEN cdk-nag AwsSolutions runs THEN it reports no unacknowledged error', () => {
    const { app } = build({}, true);
    expect(() => app.synth()).not.toThrow();
  });
});
