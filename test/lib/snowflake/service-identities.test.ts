/**
 * The provisioned service identities in the synthesized Prod stack (example config, retain): one
 * custom resource per role and user (readable in `cdk diff`), the functions signing in as them, and
 * each function's key secret readable by that function alone (IAM and the secret's resource policy).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PipelineStage } from '../../../lib/pipeline-stage';
import { cdkContext, exampleConfigValidated, logicalId } from '../helpers';

const app = new App({ context: { ...cdkContext(), 'aws:cdk:bundling-stacks': [] } });
const stage = PipelineStage.forEnvironment(app, exampleConfigValidated(), 'prod');
const stack = stage.pipeline;
const template = Template.fromStack(stack);
const identities = stack.snowflake.serviceIdentities!;
const secretId = (fn: 'healthMonitor' | 'pipeRefresher') => logicalId(identities.secrets[fn]);
const roleId = (fn: 'healthMonitor' | 'pipeRefresher') =>
  logicalId((fn === 'healthMonitor' ? stack.healthMonitor : stack.pipeRefresher).function.role!);

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const mentions = (value: unknown, id: string) => JSON.stringify(value).includes(`"${id}"`);

/** Logical ids of the roles whose identity policies allow `action` on the secret `id`. */
function rolesAllowed(action: string, id: string): string[] {
  const roles: string[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const p = policy.Properties as { PolicyDocument: { Statement: Statement[] }; Roles: { Ref: string }[] };
    if (
      p.PolicyDocument.Statement.some(
        (s) => s.Effect === 'Allow' && actions(s).includes(action) && mentions(s.Resource, id),
      )
    )
      roles.push(...p.Roles.map((r) => r.Ref));
  }
  return roles.sort();
}

describe('GIVEN the Prod stack of the example config (no hand-managed monitor identity)', () => {
  test('THEN each function has its own service-role and service-user custom resource, in the template for cdk diff', () => {
    const objects = Object.values(template.findResources('Custom::SnowflakeObject')).map(
      (r) => r.Properties as { kind: string; definition: Record<string, unknown> },
    );
    const of = (kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.definition.name);
    expect(of('service-role')).toEqual(['INGEST_PROD_HEALTH_MONITOR', 'INGEST_PROD_PIPE_REFRESHER']);
    expect(of('service-user')).toEqual(['INGEST_PROD_HEALTH_MONITOR', 'INGEST_PROD_PIPE_REFRESHER']);
    const refresherRole = objects.find(
      (o) => o.kind === 'service-role' && o.definition.name === 'INGEST_PROD_PIPE_REFRESHER',
    )!;
    expect(refresherRole.definition.grants).toContainEqual({
      on: 'PIPE',
      name: `INGEST.RAW.${exampleConfigValidated().datasets[0]!.name.toUpperCase()}_PIPE`,
      privileges: ['OPERATE'],
    });
    const monitorUser = objects.find(
      (o) => o.kind === 'service-user' && o.definition.name === 'INGEST_PROD_HEALTH_MONITOR',
    )!;
    expect(monitorUser.definition).toMatchObject({
      role: 'INGEST_PROD_HEALTH_MONITOR',
      privateKeySecretArn: { Ref: secretId('healthMonitor') },
      keyRotation: 0,
    });
  });

  test('THEN the health monitor and the refresher sign in as their own users with their own secrets, never the deployer', () => {
    for (const [fn, user] of [
      [stack.healthMonitor.function, 'INGEST_PROD_HEALTH_MONITOR'],
      [stack.pipeRefresher.function, 'INGEST_PROD_PIPE_REFRESHER'],
    ] as const) {
      const resolved = stack.resolve((fn.node.defaultChild as unknown as { environment: unknown }).environment) as {
        variables: { SNOWFLAKE_CONNECTION: unknown };
      };
      const text = JSON.stringify(resolved.variables.SNOWFLAKE_CONNECTION);
      expect(text).toContain(`\\"user\\":\\"${user}\\"`);
      expect(text).toContain(`\\"role\\":\\"${user}\\"`);
      expect(text).not.toContain('PIPELINE_DEPLOYER');
      expect(text).not.toContain('pipeline-deployer');
    }
  });

  test("THEN neither function role may read the deployer's secret", () => {
    const deployerSecret = exampleConfigValidated().environments.find((e) => e.name === 'prod')!.snowflake
      .privateKeySecretArn;
    const readers: string[] = [];
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      const p = policy.Properties as { PolicyDocument: { Statement: Statement[] }; Roles: { Ref: string }[] };
      if (p.PolicyDocument.Statement.some((st) => JSON.stringify(st.Resource).includes(deployerSecret)))
        readers.push(...p.Roles.map((r) => r.Ref));
    }
    expect(readers).toEqual([logicalId(stack.snowflake.provider.onEventFunction.role!)]);
    expect(readers).not.toContain(roleId('healthMonitor'));
  });

  test.each(['healthMonitor', 'pipeRefresher'] as const)(
    'THEN only the %s function may read its key (IAM), the provisioner may only write it',
    (fn) => {
      expect(rolesAllowed('secretsmanager:GetSecretValue', secretId(fn))).toEqual([roleId(fn)]);
      const provisionerRole = logicalId(stack.snowflake.provider.onEventFunction.role!);
      expect(rolesAllowed('secretsmanager:PutSecretValue', secretId(fn))).toEqual([provisionerRole]);
    },
  );

  test.each(['healthMonitor', 'pipeRefresher'] as const)(
    'THEN the %s secret denies GetSecretValue to every principal but its function role',
    (fn) => {
      const policies = Object.values(template.findResources('AWS::SecretsManager::ResourcePolicy')).filter((p) =>
        mentions((p.Properties as { SecretId: unknown }).SecretId, secretId(fn)),
      );
      expect(policies).toHaveLength(1);
      const doc = (policies[0]!.Properties as { ResourcePolicy: { Statement: Statement[] } }).ResourcePolicy;
      expect(doc.Statement).toEqual([
        {
          Sid: 'OnlyTheFunctionReadsItsKey',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'secretsmanager:GetSecretValue',
          Resource: '*',
          Condition: { StringNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [roleId(fn), 'Arn'] } } },
        },
      ]);
    },
  );

  test('THEN the secrets are retained with the environment (removalPolicy retain)', () => {
    for (const fn of ['healthMonitor', 'pipeRefresher'] as const)
      expect(template.toJSON().Resources[secretId(fn)]).toMatchObject({
        Type: 'AWS::SecretsManager::Secret',
        DeletionPolicy: 'Retain',
      });
  });

  test('THEN cdk-nag AwsSolutions reports nothing unacknowledged on the identities', () => {
    const report = new AwsSolutionsChecks().validateScope(identities);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    expect(Stack.of(identities)).toBe(stack);
  });
});
