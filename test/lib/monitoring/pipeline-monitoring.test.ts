import { readFileSync } from 'fs';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MonitoringPropsError } from '../../../lib/monitoring/alarm-topic';
import { PipelineMonitoring, type PipelineMonitoringProps } from '../../../lib/monitoring/pipeline-monitoring';
import { RUNBOOK_ANCHORS } from '../../../lib/monitoring/runbook';

type Overrides = Partial<Omit<PipelineMonitoringProps, 'inboundQueue' | 'deadLetterQueue' | 'parserFunction'>>;

/** GIVEN a stack with an inbound queue, its DLQ and a function, monitored by PipelineMonitoring. */
function build(overrides: Overrides = {}, app = new App()) {
  const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const dlq = new sqs.Queue(stack, 'Dlq');
  const queue = new sqs.Queue(stack, 'Inbound', { deadLetterQueue: { queue: dlq, maxReceiveCount: 5 } });
  const fn = new lambda.Function(stack, 'Parser', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
  });
  const monitoring = new PipelineMonitoring(stack, 'Monitoring', {
    environmentName: 'dev',
    namePrefix: 'ingest-dev',
    inboundQueue: queue,
    deadLetterQueue: dlq,
    parserFunction: fn,
    alarms: { emails: ['oncall@example.com'], httpsEndpoints: ['https://hooks.example.com/alarms'] },
    ...overrides,
  });
  return { app, stack, monitoring, queue, dlq, fn };
}

const ref = (stack: Stack, construct: { node: { defaultChild?: unknown } } | object) =>
  stack.resolve((construct as { node: { defaultChild: { logicalId: string } } }).node.defaultChild.logicalId);

interface AlarmResource {
  Properties: Record<string, unknown> & { AlarmName: string; AlarmDescription: string; Metrics: unknown[] };
}

function alarms(template: Template): Record<string, AlarmResource['Properties']> {
  const out: Record<string, AlarmResource['Properties']> = {};
  for (const r of Object.values(template.findResources('AWS::CloudWatch::Alarm')) as AlarmResource[]) {
    out[r.Properties.AlarmName] = r.Properties;
  }
  return out;
}

const sqsMetric = (queueLogicalId: string, metricName: string) => [
  Match.objectLike({
    MetricStat: {
      Metric: {
        Namespace: 'AWS/SQS',
        MetricName: metricName,
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueLogicalId, 'QueueName'] } }],
      },
      Period: 300,
      Stat: 'Maximum',
    },
  }),
];
const lambdaMetric = (fnLogicalId: string, metricName: string, stat: string) => [
  Match.objectLike({
    MetricStat: {
      Metric: {
        Namespace: 'AWS/Lambda',
        MetricName: metricName,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnLogicalId } }],
      },
      Period: 300,
      Stat: stat,
    },
  }),
];
const parserDims = [
  { Name: 'environment', Value: 'dev' },
  { Name: 'service', Value: 'parser' },
];

describe('PipelineMonitoring', () => {
  const { stack, monitoring, queue, dlq, fn } = build();
  const template = Template.fromStack(stack);
  const byName = alarms(template);
  const topicRef = { Ref: ref(stack, monitoring.topic) };
  const queueId = ref(stack, queue);
  const dlqId = ref(stack, dlq);
  const fnId = ref(stack, fn);

  const expected: Record<string, { anchor: string; props: Record<string, unknown> }> = {
    'ingest-dev-Inbound-DLQ-Queue-Message-Count-Max-Depth': {
      anchor: RUNBOOK_ANCHORS.deadLetterDepth,
      props: {
        Metrics: sqsMetric(dlqId, 'ApproximateNumberOfMessagesVisible'),
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        DatapointsToAlarm: 1,
        EvaluationPeriods: 1,
      },
    },
    'ingest-dev-Inbound-DLQ-Queue-Message-Age-Max-Ageing': {
      anchor: RUNBOOK_ANCHORS.deadLetterAge,
      props: {
        Metrics: sqsMetric(dlqId, 'ApproximateAgeOfOldestMessage'),
        Threshold: 3 * 24 * 3600,
        ComparisonOperator: 'GreaterThanThreshold',
        DatapointsToAlarm: 1,
        EvaluationPeriods: 1,
      },
    },
    'ingest-dev-Inbound-Queue-Message-Age-Max-Backlog': {
      anchor: RUNBOOK_ANCHORS.inboundAge,
      props: {
        Metrics: sqsMetric(queueId, 'ApproximateAgeOfOldestMessage'),
        Threshold: 3600,
        ComparisonOperator: 'GreaterThanThreshold',
        DatapointsToAlarm: 1,
        EvaluationPeriods: 1,
      },
    },
    'ingest-dev-Parser-Fault-Count-Errors': {
      anchor: RUNBOOK_ANCHORS.parserErrors,
      props: {
        Metrics: lambdaMetric(fnId, 'Errors', 'Sum'),
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        DatapointsToAlarm: 2,
        EvaluationPeriods: 3,
      },
    },
    'ingest-dev-Parser-Throttled-Count-Throttles': {
      anchor: RUNBOOK_ANCHORS.parserThrottles,
      props: {
        Metrics: lambdaMetric(fnId, 'Throttles', 'Sum'),
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        DatapointsToAlarm: 2,
        EvaluationPeriods: 3,
      },
    },
    'ingest-dev-Parser-Latency-P99-Slow': {
      anchor: RUNBOOK_ANCHORS.parserDuration,
      props: {
        Metrics: lambdaMetric(fnId, 'Duration', 'p99'),
        Threshold: 12 * 60 * 1000,
        ComparisonOperator: 'GreaterThanThreshold',
        DatapointsToAlarm: 3,
        EvaluationPeriods: 3,
      },
    },
    'ingest-dev-Pipeline-RejectedRows-Alarm': {
      anchor: RUNBOOK_ANCHORS.rejectedRows,
      props: {
        Metrics: Match.arrayWith([
          Match.objectLike({
            Expression: 'IF(rowsIn > 0, 100 * FILL(rowsRejected, 0) / rowsIn, 0)',
            ReturnData: true,
          }),
          {
            Id: 'rowsIn',
            MetricStat: {
              Metric: { Namespace: 'S3SnowflakePipeline', MetricName: 'RowsIn', Dimensions: parserDims },
              Period: 300,
              Stat: 'Sum',
            },
            ReturnData: false,
          },
          {
            Id: 'rowsRejected',
            MetricStat: {
              Metric: { Namespace: 'S3SnowflakePipeline', MetricName: 'RowsRejected', Dimensions: parserDims },
              Period: 300,
              Stat: 'Sum',
            },
            ReturnData: false,
          },
        ]),
        Threshold: 5,
        ComparisonOperator: 'GreaterThanThreshold',
        DatapointsToAlarm: 1,
        EvaluationPeriods: 1,
      },
    },
    'ingest-dev-Pipeline-FilesQuarantined-Alarm': {
      anchor: RUNBOOK_ANCHORS.filesQuarantined,
      props: {
        Metrics: [
          Match.objectLike({
            MetricStat: {
              Metric: { Namespace: 'S3SnowflakePipeline', MetricName: 'FilesQuarantined', Dimensions: parserDims },
              Period: 300,
              Stat: 'Sum',
            },
          }),
        ],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        DatapointsToAlarm: 1,
        EvaluationPeriods: 1,
      },
    },
    'ingest-dev-Pipeline-FilesWithDrift-Alarm': {
      anchor: RUNBOOK_ANCHORS.filesWithDrift,
      props: {
        Metrics: [
          Match.objectLike({
            MetricStat: {
              Metric: { Namespace: 'S3SnowflakePipeline', MetricName: 'FilesWithDrift', Dimensions: parserDims },
              Period: 300,
              Stat: 'Sum',
            },
          }),
        ],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        DatapointsToAlarm: 1,
        EvaluationPeriods: 1,
      },
    },
  };

  test('GIVEN the default config WHEN synthesized THEN exactly the documented alarms exist', () => {
    expect(Object.keys(byName).sort()).toEqual(Object.keys(expected).sort());
  });

  test.each(Object.entries(expected))(
    'GIVEN alarm %s THEN metric, threshold, period, comparison, missing data and actions are as documented',
    (alarmName, { anchor, props }) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: alarmName,
        ...props,
        TreatMissingData: 'notBreaching',
        ActionsEnabled: true,
        AlarmActions: [topicRef],
        OKActions: [topicRef],
        AlarmDescription: Match.stringLikeRegexp(`\\S.{40,}\\s+Runbook: docs/operations\\.md#${anchor}$`),
      });
    },
  );

  test('GIVEN the runbook THEN every alarm anchor is a section of docs/operations.md', () => {
    const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'operations.md'), 'utf8');
    for (const anchor of Object.values(RUNBOOK_ANCHORS)) expect(doc).toContain(`<a id="${anchor}"></a>`);
  });

  test('GIVEN the alarm topic THEN it is KMS-encrypted, TLS-only and has the configured subscriptions', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [ref(stack, monitoring.topicKey), 'Arn'] },
      DisplayName: 'Ingestion pipeline alarms (dev)',
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [topicRef],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: topicRef,
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: topicRef,
      Protocol: 'https',
      Endpoint: 'https://hooks.example.com/alarms',
    });
  });

  test('GIVEN the topic key THEN rotation is on and CloudWatch (this account only) may use it', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
          }),
        ]),
      },
    });
  });

  test('GIVEN the monitoring THEN one dashboard shows the queue, the parser and the row metrics', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    for (const text of ['Inbound S3 notifications', 'Parser', 'Parser rows and files', 'RowsRejected']) {
      expect(body).toContain(text);
    }
  });
});

describe('PipelineMonitoring options', () => {
  test('GIVEN no alarm config THEN the topic has no subscriptions and alarms still notify it', () => {
    const { stack } = build({ alarms: undefined });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 9);
  });

  test('GIVEN custom thresholds and runbook URL THEN the alarms use them', () => {
    const { stack } = build({
      thresholds: {
        inboundMaxAge: Duration.minutes(20),
        deadLetterMaxAge: Duration.days(1),
        parserP99Duration: Duration.minutes(4),
        rejectedRowPercent: 0.5,
      },
      runbookUrl: 'https://wiki.example.com/ops',
    });
    const byName = alarms(Template.fromStack(stack));
    expect(byName['ingest-dev-Inbound-Queue-Message-Age-Max-Backlog'].Threshold).toBe(1200);
    expect(byName['ingest-dev-Inbound-DLQ-Queue-Message-Age-Max-Ageing'].Threshold).toBe(86400);
    expect(byName['ingest-dev-Parser-Latency-P99-Slow'].Threshold).toBe(240000);
    expect(byName['ingest-dev-Pipeline-RejectedRows-Alarm'].Threshold).toBe(0.5);
    expect(byName['ingest-dev-Parser-Fault-Count-Errors'].AlarmDescription).toMatch(
      /Runbook: https:\/\/wiki\.example\.com\/ops#alarm-parser-errors$/,
    );
  });

  test('GIVEN addMetricAlarms WHEN a Snowflake-side alarm is added THEN it notifies the same topic with its runbook link', () => {
    const { stack, monitoring } = build();
    const metric = new cw.Metric({
      namespace: 'S3SnowflakePipeline',
      metricName: 'PipeErrors',
      dimensionsMap: { service: 'health-monitor', environment: 'dev', dataset: 'orders' },
      statistic: 'Sum',
      period: Duration.minutes(10),
    });
    const created = monitoring.addMetricAlarms({
      title: 'Snowflake: orders',
      alarms: [
        {
          name: 'PipeErrors-orders',
          metric,
          threshold: 0,
          comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          description: 'The orders pipe reported load errors.',
          runbookAnchor: 'alarm-pipe-errors',
          datapointsToAlarm: 2,
          treatMissingData: cw.TreatMissingData.BREACHING,
        },
      ],
    });
    expect(created).toHaveLength(1);
    const topicRef = { Ref: ref(stack, monitoring.topic) };
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'ingest-dev-Pipeline-PipeErrors-orders-Alarm',
      AlarmDescription: 'The orders pipe reported load errors. \r\nRunbook: docs/operations.md#alarm-pipe-errors',
      Namespace: 'S3SnowflakePipeline',
      MetricName: 'PipeErrors',
      Dimensions: Match.arrayWith([{ Name: 'dataset', Value: 'orders' }]),
      Period: 600,
      Statistic: 'Sum',
      DatapointsToAlarm: 2,
      EvaluationPeriods: 2,
      TreatMissingData: 'breaching',
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
  });

  test.each([
    [{ alarms: { emails: ['not-an-email'] } }, /emails\[0\]: "not-an-email" is not an e-mail address/],
    [{ alarms: { httpsEndpoints: ['http://hooks.example.com'] } }, /httpsEndpoints\[0\]: .* is not an https URL/],
    [{ namePrefix: 'has space' }, /namePrefix "has space" must match/],
    [{ thresholds: { rejectedRowPercent: 0 } }, /thresholds\.rejectedRowPercent 0 must be in \(0, 100\]/],
    [{ thresholds: { inboundMaxAge: Duration.seconds(0) } }, /thresholds\.inboundMaxAge must be positive/],
  ] as [Overrides, RegExp][])(
    'GIVEN invalid props %j THEN the constructor names the property',
    (overrides, message) => {
      let caught: unknown;
      try {
        build(overrides);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(MonitoringPropsError);
      expect((caught as Error).message).toMatch(message);
    },
  );

  test('GIVEN addMetricAlarms with a duplicate or malformed name THEN it throws naming the alarm', () => {
    const { monitoring } = build();
    const alarm = {
      name: 'RejectedRows',
      metric: monitoring.parserMetric('RowsIn'),
      threshold: 1,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: 'x',
      runbookAnchor: 'a',
    };
    expect(() => monitoring.addMetricAlarms({ title: 'S', alarms: [alarm] })).toThrow(
      'alarm name "RejectedRows" is already used',
    );
    expect(() => monitoring.addMetricAlarms({ title: 'S', alarms: [{ ...alarm, name: 'bad name' }] })).toThrow(
      'alarm name "bad name" must match',
    );
    expect(() => monitoring.addMetricAlarms({ title: 'S', alarms: [] })).toThrow('no alarms');
  });
});

describe('PipelineMonitoring cdk-nag', () => {
  test('GIVEN AwsSolutions checks THEN the monitoring resources have no findings', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'monitoring-nag-')) });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    build({}, app);
    let failed = false;
    try {
      app.synth();
    } catch {
      failed = true; // the unhardened fixture queues/function are reported; see below
    }
    const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
    };
    const findings = report.pluginReports.flatMap((p) =>
      p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} ${c.constructPath}`)),
    );
    // The checks ran: the deliberately plain fixture resources are reported...
    expect(failed).toBe(true);
    expect(findings).toContain('AwsSolutions-SQS4 Stack/Dlq/Resource');
    // ...and nothing under the monitoring construct is.
    expect(findings.filter((f) => f.includes(' Stack/Monitoring/'))).toEqual([]);
  });
});
