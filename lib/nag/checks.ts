import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Runs cdk-nag's AwsSolutions pack when `scope` (an App or a Stage) synthesizes: an unacknowledged
 * error fails the synth and is listed in `cdk.out/validation-report.json`.
 *
 * cdk-nag 3 is a CDK policy-validation plugin: `Aspects.of(app).add(new AwsSolutionsChecks())` (the v2
 * form) fails with "aspect.visit is not a function".
 */
export function addNagChecks(scope: IConstruct): AwsSolutionsChecks {
  const checks = new AwsSolutionsChecks(scope);
  Validations.of(scope).addPlugins(checks);
  return checks;
}
