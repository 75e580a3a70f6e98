/**
 * cdk-nag over the synthesized template (lib/nag/template-checks.ts): every resource is checked, CDK's
 * helper resources included, and the acknowledgements the template itself carries are the only ones applied.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { checkTemplate } from '../../../lib/nag/template-checks';
import { S3SnowflakePipeline } from '../../../lib/s3-snowflake-pipeline';
import { minimalPipelineProps } from '../pipeline-props';

interface Resource {
  Type: string;
  Metadata?: { cdk_nag?: { rules_to_suppress?: { id: string; reason: string }[] } };
  Properties?: { Runtime?: string };
}
type TemplateJson = { Resources: Record<string, Resource> };

/** GIVEN a destroy environment of the L3 in a fresh app (no feature flags; bundling skipped). */
function synthesize(): { file: string; template: TemplateJson } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-template-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Shop', { env: { account: '111111111111', region: 'eu-west-1' } });
  new S3SnowflakePipeline(stack, 'Orders', minimalPipelineProps());
  const file = path.join(app.synth().directory, stack.templateFile);
  return { file, template: JSON.parse(fs.readFileSync(file, 'utf8')) as TemplateJson };
}

const suppressed = (r: Resource) => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((s) => s.id);

describe('cdk-nag over the synthesized template', () => {
  let synthesized: { file: string; template: TemplateJson };
  beforeAll(() => {
    synthesized = synthesize();
  });

  test('GIVEN the pipeline template WHEN the AwsSolutions pack runs over it THEN no finding is left unacknowledged', () => {
    expect(checkTemplate(synthesized.file)).toEqual([]);
  });

  test('GIVEN the pipeline template WHEN read THEN CDK helpers and IAM5 wildcards carry their acknowledgement and reason in Metadata.cdk_nag', () => {
    const resources = Object.entries(synthesized.template.Resources);
    const byId = (prefix: string) => resources.filter(([id]) => id.startsWith(prefix)).map(([, r]) => r);
    const [notifications] = byId('BucketNotificationsHandler').filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(notifications?.Properties?.Runtime).toMatch(/^python3\./);
    expect(suppressed(notifications!)).toContain('AwsSolutions-L1');
    const [autoDeleteRole] = byId('CustomS3AutoDeleteObjectsCustomResourceProviderRole');
    expect(suppressed(autoDeleteRole!)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^AwsSolutions-IAM4\[Policy::.*AWSLambdaBasicExecutionRole\]$/)]),
    );
    const iam5 = resources
      .flatMap(([, r]) => r.Metadata?.cdk_nag?.rules_to_suppress ?? [])
      .filter((s) => s.id.startsWith('AwsSolutions-IAM5['));
    expect(iam5.length).toBeGreaterThan(0);
    for (const s of iam5) expect(s.reason.length).toBeGreaterThanOrEqual(20);
  });

  test('GIVEN the same template without its acknowledgements WHEN checked THEN the helpers and the wildcards are reported', () => {
    const bare = structuredClone(synthesized.template);
    for (const r of Object.values(bare.Resources)) delete r.Metadata?.cdk_nag;
    const file = path.join(path.dirname(synthesized.file), 'bare.template.json');
    fs.writeFileSync(file, JSON.stringify(bare));
    const findings = checkTemplate(file);
    const rulesOf = (prefix: string) => findings.filter((f) => f.logicalId.startsWith(prefix)).map((f) => f.rule);
    expect(rulesOf('BucketNotificationsHandler')).toContain('AwsSolutions-L1');
    expect(rulesOf('CustomS3AutoDeleteObjectsCustomResourceProviderRole')).toEqual([
      expect.stringMatching(/^AwsSolutions-IAM4\[Policy::.*AWSLambdaBasicExecutionRole\]$/),
    ]);
    expect(findings.some((f) => f.rule.startsWith('AwsSolutions-IAM5['))).toBe(true);
  });
});
