import * as path from 'path';
import type { ResolvedEnvironment } from '../../contracts/config';
import type { IngestionObjectsInput } from '../../snowflake/ingestion-objects';
import { loadFollowUpTasks, loadGoldViews } from '../sql-loader';

/** The project's gold views (`snowflake/gold/*.sql`). */
export const DEFAULT_GOLD_DIRECTORY = path.join(__dirname, '..', '..', 'snowflake', 'gold');
/** The project's warehouse and mart views (`snowflake/warehouse/*.sql`, `snowflake/mart/*.sql`). */
export const DEFAULT_WAREHOUSE_DIRECTORY = path.join(__dirname, '..', '..', 'snowflake', 'warehouse');
export const DEFAULT_MART_DIRECTORY = path.join(__dirname, '..', '..', 'snowflake', 'mart');
/** The project's follow-up tasks (`snowflake/tasks/*.sql`). */
export const DEFAULT_TASKS_DIRECTORY = path.join(__dirname, '..', '..', 'snowflake', 'tasks');

export interface DataModelSources {
  /** Directory of gold views. @default DEFAULT_GOLD_DIRECTORY */
  readonly goldDirectory?: string;
  /** Directory of follow-up tasks. @default DEFAULT_TASKS_DIRECTORY */
  readonly tasksDirectory?: string;
  /** Directory of warehouse views. @default DEFAULT_WAREHOUSE_DIRECTORY */
  readonly warehouseDirectory?: string;
  /** Directory of mart views. @default DEFAULT_MART_DIRECTORY */
  readonly martDirectory?: string;
}

/**
 * The data-model part of an environment's object list: the datasets, the gold views and follow-up
 * tasks read from their directories (plus config `tasks`), the schema names and the reader role.
 * Shared by the CDK composition and the plan command, so both build the same objects. Throws the
 * model's SqlFileError / DataModelError naming the file or dataset at fault.
 */
export function dataModelInput(
  config: ResolvedEnvironment,
  sources: DataModelSources = {},
): NonNullable<IngestionObjectsInput['dataModel']> {
  const sf = config.environment.snowflake;
  return {
    datasets: config.datasets,
    goldViews: loadGoldViews(sources.goldDirectory ?? DEFAULT_GOLD_DIRECTORY),
    followUpTasks: [
      ...loadFollowUpTasks(sources.tasksDirectory ?? DEFAULT_TASKS_DIRECTORY),
      ...config.tasks.map((t, i) => ({ ...t, source: `config tasks[${i}] (${t.name})` })),
    ],
    ...(sf.coreSchema ? { coreSchema: sf.coreSchema } : {}),
    ...(sf.goldSchema ? { goldSchema: sf.goldSchema } : {}),
    ...(sf.readerRole ? { readerRole: sf.readerRole } : {}),
    ...(sf.readerWarehouse ? { readerWarehouse: sf.readerWarehouse } : {}),
    ...(config.vault
      ? {
          vault: config.vault,
          layerViews: {
            warehouse: loadGoldViews(sources.warehouseDirectory ?? DEFAULT_WAREHOUSE_DIRECTORY),
            mart: loadGoldViews(sources.martDirectory ?? DEFAULT_MART_DIRECTORY),
          },
        }
      : {}),
  };
}
