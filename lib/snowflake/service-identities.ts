import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../nag/acknowledge';
import type { IngestionObject } from '../../snowflake/ingestion-objects';
import {
  SERVICE_FUNCTIONS,
  serviceIdentityName,
  serviceIdentityObjects,
  serviceObjectIds,
} from '../../snowflake/service-identities';
import type { ServiceFunction } from '../../snowflake/service-identities';
import type { SnowflakeConnection } from './snowflake-connection';
import { SnowflakeObject } from './snowflake-object';
import type { SnowflakeProvider } from './snowflake-provider';

export interface ServiceIdentitiesProps {
  readonly provider: SnowflakeProvider;
  /** The deployer's connection (the provisioner creates the roles and users). */
  readonly connection: SnowflakeConnection;
  /** `retain` leaves roles, users and secrets untouched on Delete. */
  readonly removalPolicy: 'retain' | 'destroy';
  readonly project: string;
  readonly environment: string;
  readonly database: string;
  readonly rawSchema?: string;
  readonly coreSchema?: string;
  /** Warehouse of the health monitor's queries (USAGE). */
  readonly warehouse: string;
  readonly datasets: readonly string[];
  /** The environment's other objects (grants go only to those) and their constructs, by id. */
  readonly objects: readonly IngestionObject[];
  readonly constructs: ReadonlyMap<string, SnowflakeObject>;
  /** Bump to install new key pairs (see docs/snowflake.md, key rotation). @default 0 */
  readonly keyRotation?: number;
}

/**
 * The health monitor's and the pipe refresher's own Snowflake identities: per function a Secrets
 * Manager secret (`<project>-<env>/snowflake/<function>`), a `service-role` custom resource with exactly
 * the grants the function needs, and a `service-user` custom resource (TYPE = SERVICE) whose key pair
 * the provisioner generates and writes to the secret. The provisioner may write the secrets
 * (PutSecretValue), never read them; {@link restrictSecretRead} lets only the function read its own.
 */
export class ServiceIdentities extends Construct {
  readonly secrets: Readonly<Record<ServiceFunction, secretsmanager.Secret>>;
  /** User name per function (its role has the same name). */
  readonly names: Readonly<Record<ServiceFunction, string>>;
  /** The role and user constructs, by object id (`HealthMonitorRole`, `HealthMonitorUser`, …). */
  readonly objects: ReadonlyMap<string, SnowflakeObject>;

  constructor(scope: Construct, id: string, props: ServiceIdentitiesProps) {
    super(scope, id);
    const secret = (fn: ServiceFunction, slug: string) => {
      const s = new secretsmanager.Secret(this, `${serviceObjectIds(fn).user}Key`, {
        secretName: `${props.project}-${props.environment}/snowflake/${slug}`,
        description: `Private key of the ${slug} Snowflake service user (written by the Snowflake provisioner)`,
        removalPolicy: props.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      });
      // Write-only for the provisioner: it generates the key pair and puts the private key here.
      props.provider.onEventFunction.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['secretsmanager:PutSecretValue'], resources: [s.secretArn] }),
      );
      acknowledge(
        s,
        'AwsSolutions-SMG4',
        'A key pair, not a password: rotated by the deploy (snowflake.serviceUsers.keyRotation), which installs the new public key in Snowflake first (RSA_PUBLIC_KEY_2); Secrets Manager rotation cannot do that.',
      );
      return s;
    };
    this.secrets = {
      healthMonitor: secret('healthMonitor', 'health-monitor'),
      pipeRefresher: secret('pipeRefresher', 'pipe-refresher'),
    };
    this.names = {
      healthMonitor: serviceIdentityName(props.project, props.environment, 'healthMonitor'),
      pipeRefresher: serviceIdentityName(props.project, props.environment, 'pipeRefresher'),
    };
    const specs = serviceIdentityObjects({
      project: props.project,
      environment: props.environment,
      database: props.database,
      rawSchema: props.rawSchema,
      coreSchema: props.coreSchema,
      warehouse: props.warehouse,
      datasets: props.datasets,
      objects: props.objects,
      secretArns: {
        healthMonitor: this.secrets.healthMonitor.secretArn,
        pipeRefresher: this.secrets.pipeRefresher.secretArn,
      },
      keyRotation: props.keyRotation,
    });
    const objects = new Map<string, SnowflakeObject>();
    for (const spec of specs) {
      const object = new SnowflakeObject(this, spec.id, {
        provider: props.provider,
        connection: props.connection,
        removalPolicy: props.removalPolicy,
        kind: spec.kind,
        definition: spec.definition as never,
      });
      for (const dep of spec.dependsOn) {
        const target = objects.get(dep) ?? props.constructs.get(dep);
        if (!target) throw new Error(`${this.node.path}: ${spec.id} depends on unknown object ${dep}`);
        object.node.addDependency(target);
      }
      objects.set(spec.id, object);
    }
    // The provisioner's write permission and the secret exist before the user is created.
    for (const fn of SERVICE_FUNCTIONS) objects.get(serviceObjectIds(fn).user)!.node.addDependency(this.secrets[fn]);
    this.objects = objects;
  }

  /**
   * Only `role` (the function's) may read `fn`'s key: a resource policy denies GetSecretValue to every
   * other principal of any account (administrators included; they can still replace the policy).
   */
  restrictSecretRead(fn: ServiceFunction, role: iam.IRole): void {
    this.secrets[fn].addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheFunctionReadsItsKey',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['secretsmanager:GetSecretValue'],
        resources: ['*'],
        conditions: { StringNotEquals: { 'aws:PrincipalArn': role.roleArn } },
      }),
    );
  }
}
