import type { z } from 'zod';
import type { Construct } from 'constructs';
import type { databaseDefinition } from '../../snowflake/kinds/database';
import type { schemaDefinition } from '../../snowflake/kinds/schema';
import { SnowflakeObject } from './snowflake-object';
import type { SnowflakeObjectCommonProps } from './snowflake-object';

export interface SnowflakeDatabaseProps extends SnowflakeObjectCommonProps {
  /** `{ name, comment? }`. */
  readonly definition: z.input<typeof databaseDefinition>;
}

/** A database (data-bearing: dropped only with removalPolicy 'destroy', never when adopted). */
export class SnowflakeDatabase extends SnowflakeObject {
  constructor(scope: Construct, id: string, props: SnowflakeDatabaseProps) {
    super(scope, id, { ...props, kind: 'database' });
  }
}

export interface SnowflakeSchemaProps extends SnowflakeObjectCommonProps {
  /** `{ database, name, comment? }`. */
  readonly definition: z.input<typeof schemaDefinition>;
}

/** A schema (data-bearing: dropped only with removalPolicy 'destroy', never when adopted). */
export class SnowflakeSchema extends SnowflakeObject {
  constructor(scope: Construct, id: string, props: SnowflakeSchemaProps) {
    super(scope, id, { ...props, kind: 'schema' });
  }
}
