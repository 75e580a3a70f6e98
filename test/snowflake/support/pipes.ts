/** The orders pipe of the `dev` environment, as the pipe planner tests define it and read it back. */
import { pipeKind, renderCopy } from '../../../snowflake/kinds/pipe';
import type { PipeDefinition, PipeState } from '../../../snowflake/kinds/pipe';

/** `INGEST_DEV.RAW.ORDERS_PIPE`: COPY from the stage's `data/orders/` into the orders bronze table. */
export const ORDERS_PIPE: PipeDefinition = pipeKind.schema.parse({
  database: 'INGEST_DEV',
  schema: 'RAW',
  name: 'ORDERS_PIPE',
  table: 'INGEST_DEV.RAW.ORDERS',
  stage: 'INGEST_DEV.RAW.PIPELINE_STAGE',
  path: 'data/orders/',
  fileFormat: 'INGEST_DEV.RAW.STAGE_NDJSON_GZ',
});

/** `pipe` as read back when it runs with nothing pending, no error integration and no comment. */
export function runningPipeState(pipe: PipeDefinition, notificationChannel: string): PipeState {
  return {
    definition: renderCopy(pipe),
    notificationChannel,
    errorIntegration: null,
    comment: null,
    refreshFrom: null,
    executionState: 'RUNNING',
    pendingFileCount: 0,
  };
}
