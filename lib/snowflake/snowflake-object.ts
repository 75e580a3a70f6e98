import { CustomResource, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SNOWFLAKE_RESOURCE_TYPE } from '../../snowflake/engine/resource';
import { getKind } from '../../snowflake/kinds/registry';
import type { SnowflakeConnection } from './snowflake-connection';
import type { SnowflakeProvider } from './snowflake-provider';

/** What happens to a data-bearing object when its resource is deleted. */
export type SnowflakeRemovalPolicy = 'retain' | 'destroy';

export interface SnowflakeObjectCommonProps {
  /** The stack's provider (see SnowflakeProvider.of). */
  readonly provider: SnowflakeProvider;
  readonly connection: SnowflakeConnection;
  /** Take over an object that already exists; an adopted object is never dropped. @default false */
  readonly adopt?: boolean;
  /** `destroy` lets a Delete drop data-bearing objects (tables, schemas). @default 'retain' */
  readonly removalPolicy?: SnowflakeRemovalPolicy;
}

export interface SnowflakeObjectProps extends SnowflakeObjectCommonProps {
  /** Registered kind (`database`, `schema`, `storage-integration`, `file-format`, `stage`, `table`, `pipe`). */
  readonly kind: string;
  /** The object's definition: nested properties, so `cdk diff` shows each field's change. */
  readonly definition: Record<string, unknown>;
}

/**
 * One Snowflake object as one CloudFormation custom resource (`Custom::SnowflakeObject`). Its
 * physical id (`ref`) is the fully qualified name; attributes come from SHOW / DESC after the change.
 */
export class SnowflakeObject extends Construct {
  readonly resource: CustomResource;
  readonly kind: string;

  constructor(scope: Construct, id: string, props: SnowflakeObjectProps) {
    super(scope, id);
    const kind = getKind(props.kind);
    if (props.removalPolicy && !['retain', 'destroy'].includes(props.removalPolicy))
      throw new Error(
        `${this.node.path}: removalPolicy must be 'retain' or 'destroy', got ${JSON.stringify(props.removalPolicy)}`,
      );
    // Validate now what can be validated at synth (values that are tokens are checked by the handler).
    if (!Token.isUnresolved(JSON.stringify(props.definition))) {
      const parsed = kind.schema.safeParse(props.definition);
      if (!parsed.success)
        throw new Error(
          `${this.node.path}: invalid ${kind.label} definition: ${parsed.error.issues.map((i) => `definition.${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
    }
    props.provider.grantKeySecret(props.connection.privateKeySecretArn);
    this.kind = kind.kind;
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: props.provider.serviceToken,
      resourceType: SNOWFLAKE_RESOURCE_TYPE,
      properties: {
        kind: kind.kind,
        connection: { ...props.connection },
        definition: props.definition,
        adopt: props.adopt ?? false,
        removalPolicy: props.removalPolicy ?? 'retain',
      },
    });
  }

  /** Fully qualified name (the physical id). */
  get qualifiedName(): string {
    return this.resource.ref;
  }

  /** An attribute returned by the provisioner (e.g. `NotificationChannel`). */
  attribute(name: string): string {
    return this.resource.getAttString(name);
  }
}
