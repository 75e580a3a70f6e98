import type { z } from 'zod';
import type { Construct } from 'constructs';
import type { fileFormatDefinition } from '../../snowflake/kinds/file-format';
import { SnowflakeObject } from './snowflake-object';
import type { SnowflakeObjectCommonProps } from './snowflake-object';

export interface FileFormatProps extends SnowflakeObjectCommonProps {
  /** `{ database, schema, name, type: 'JSON', compression?, stripOuterArray?, comment? }`. */
  readonly definition: z.input<typeof fileFormatDefinition>;
}

/** A named file format (ALTERed in place; a type change recreates it atomically). */
export class FileFormat extends SnowflakeObject {
  constructor(scope: Construct, id: string, props: FileFormatProps) {
    super(scope, id, { ...props, kind: 'file-format' });
  }
}
