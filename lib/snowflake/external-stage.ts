import type { z } from 'zod';
import type { Construct } from 'constructs';
import type { stageDefinition } from '../../snowflake/kinds/stage';
import { SnowflakeObject } from './snowflake-object';
import type { SnowflakeObjectCommonProps } from './snowflake-object';

export interface ExternalStageProps extends SnowflakeObjectCommonProps {
  /** `{ database, schema, name, url: 's3://bucket/', storageIntegration, fileFormat: 'DB.SCHEMA.NAME', comment? }`. */
  readonly definition: z.input<typeof stageDefinition>;
}

/** An external S3 stage through a storage integration (every change is an ALTER). */
export class ExternalStage extends SnowflakeObject {
  constructor(scope: Construct, id: string, props: ExternalStageProps) {
    super(scope, id, { ...props, kind: 'stage' });
  }
}
