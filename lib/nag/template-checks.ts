/**
 * cdk-nag over a synthesized CloudFormation template, so that every resource is checked, CDK's own helper
 * resources included (the bucket-notifications handler, the auto-delete-objects provider: plain
 * `CfnResource`s in the app, which the rule packs skip). The template is loaded with `CfnInclude` into a
 * scratch app, where each resource becomes its typed L1 class; the acknowledgements the template carries
 * (`Metadata.cdk_nag.rules_to_suppress`, written by {@link recordAcknowledgementsInTemplate}) apply again.
 */
import { readFileSync } from 'fs';
import { App, Aspects, Stack, Validations } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { AwsSolutionsChecks, WriteNagSuppressionsToCloudFormationAspect } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** One unacknowledged finding: rule (with its finding, e.g. `AwsSolutions-IAM5[Resource::*]`) and resource. */
export interface TemplateFinding {
  readonly rule: string;
  /** Logical id of the resource in the template. */
  readonly logicalId: string;
  readonly severity: string;
  readonly description: string;
}

interface TemplateResource {
  readonly Metadata?: { readonly cdk_nag?: { readonly rules_to_suppress?: { id: string; reason: string }[] } };
}

/**
 * Writes every acknowledgement that applies to a CloudFormation resource of `scope` into that resource's
 * template metadata (`cdk_nag.rules_to_suppress`, cdk-nag's own format), so that the template says why each
 * rule is acknowledged and {@link checkTemplate} can apply them. Idempotent per scope.
 */
export function recordAcknowledgementsInTemplate(scope: IConstruct): void {
  if (Aspects.of(scope).all.some((a) => a instanceof WriteNagSuppressionsToCloudFormationAspect)) return;
  Aspects.of(scope).add(new WriteNagSuppressionsToCloudFormationAspect());
}

/**
 * Runs the AwsSolutions pack over `templateFile` (a synthesized template, JSON) and returns the findings
 * not acknowledged in the template itself; empty means every resource passes.
 */
export function checkTemplate(templateFile: string): TemplateFinding[] {
  const app = new App();
  const stack = new Stack(app, 'Checked');
  const included = new CfnInclude(stack, 'Template', { templateFile });
  const { Resources = {} } = JSON.parse(readFileSync(templateFile, 'utf8')) as {
    Resources?: Record<string, TemplateResource>;
  };
  for (const [logicalId, resource] of Object.entries(Resources)) {
    const rules = resource.Metadata?.cdk_nag?.rules_to_suppress ?? [];
    if (rules.length) Validations.of(included.getResource(logicalId)).acknowledge(...rules);
  }
  const report = new AwsSolutionsChecks(app).validateScope(stack);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => ({
      rule: v.ruleName,
      logicalId: (r.constructPath ?? '').split('/').pop() ?? '',
      severity: v.severity ?? 'error',
      description: v.description,
    })),
  );
}
