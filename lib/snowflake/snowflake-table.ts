import type { z } from 'zod';
import type { Construct } from 'constructs';
import type { tableDefinition } from '../../snowflake/kinds/table';
import { SnowflakeObject } from './snowflake-object';
import type { SnowflakeObjectCommonProps } from './snowflake-object';

export interface SnowflakeTableProps extends SnowflakeObjectCommonProps {
  /** `{ database, schema, name, columns: [{ name, type, comment? }], comment? }`. */
  readonly definition: z.input<typeof tableDefinition>;
}

/**
 * A table: created if absent, evolved by adding columns only, never replaced; dropped on Delete
 * only with removalPolicy 'destroy'.
 */
export class SnowflakeTable extends SnowflakeObject {
  constructor(scope: Construct, id: string, props: SnowflakeTableProps) {
    super(scope, id, { ...props, kind: 'table' });
  }
}
