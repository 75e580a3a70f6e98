import * as path from 'path';
import type { ResolvedEnvironment } from '../../contracts/config';
import type { IngestionObjectsInput } from '../../snowflake/ingestion-objects';
import { loadFollowUpTasks, loadGoldViews } from '../sql-loader';

/** This repository's SQL folder (the reference scenarios'): the default of the config's `sqlDirectory`. */
export const DEFAULT_SQL_DIRECTORY = path.join(__dirname, '..', '..', 'snowflake');

/** The folders of a project SQL folder: `gold/`, `tasks/`, `warehouse/`, `mart/` (one layout, here). */
export function sqlDirectories(sqlDirectory: string = DEFAULT_SQL_DIRECTORY): Required<DataModelSources> {
  return {
    goldDirectory: path.join(sqlDirectory, 'gold'),
    tasksDirectory: path.join(sqlDirectory, 'tasks'),
    warehouseDirectory: path.join(sqlDirectory, 'warehouse'),
    martDirectory: path.join(sqlDirectory, 'mart'),
  };
}

/**
 * What to add to a SQL file's error: which folder the SQL came from and how to use another. A config whose
 * datasets differ from the reference scenarios' still reads this repository's SQL until it names its own.
 */
export function sqlDirectoryHint(sqlDirectory?: string): string {
  return sqlDirectory
    ? `(SQL files come from the config's sqlDirectory ${sqlDirectory})`
    : `(SQL files come from this repository's ${DEFAULT_SQL_DIRECTORY}, the reference scenarios' SQL: set ` +
        '"sqlDirectory" in your config to your own folder with gold/, tasks/, warehouse/ and mart/, each optional)';
}

const DEFAULTS = sqlDirectories();
/** The project's gold views (`snowflake/gold/*.sql`). */
export const DEFAULT_GOLD_DIRECTORY = DEFAULTS.goldDirectory;
/** The project's warehouse and mart views (`snowflake/warehouse/*.sql`, `snowflake/mart/*.sql`). */
export const DEFAULT_WAREHOUSE_DIRECTORY = DEFAULTS.warehouseDirectory;
export const DEFAULT_MART_DIRECTORY = DEFAULTS.martDirectory;
/** The project's follow-up tasks (`snowflake/tasks/*.sql`). */
export const DEFAULT_TASKS_DIRECTORY = DEFAULTS.tasksDirectory;

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
