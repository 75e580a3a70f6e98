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

export interface DataModelSources {
  /** Directory of gold views. @default `gold/` of the config's `sqlDirectory` (see {@link sqlDirectories}) */
  readonly goldDirectory?: string;
  /** Directory of follow-up tasks. @default `tasks/` of the config's `sqlDirectory` */
  readonly tasksDirectory?: string;
  /** Directory of warehouse views. @default `warehouse/` of the config's `sqlDirectory` */
  readonly warehouseDirectory?: string;
  /** Directory of mart views. @default `mart/` of the config's `sqlDirectory` */
  readonly martDirectory?: string;
}

/**
 * The data-model part of an environment's object list: the datasets, the gold views and follow-up
 * tasks read from their directories (plus config `tasks`), the schema names and the reader role. A directory
 * not given is the config's `sqlDirectory`'s (else this repository's).
 * Shared by the CDK composition and the plan command, so both build the same objects. Throws the
 * model's SqlFileError / DataModelError naming the file or dataset at fault.
 */
export function dataModelInput(
  config: ResolvedEnvironment,
  sources: DataModelSources = {},
): NonNullable<IngestionObjectsInput['dataModel']> {
  const sf = config.environment.snowflake;
  const defaults = sqlDirectories(config.sqlDirectory);
  return {
    datasets: config.datasets,
    goldViews: loadGoldViews(sources.goldDirectory ?? defaults.goldDirectory),
    followUpTasks: [
      ...loadFollowUpTasks(sources.tasksDirectory ?? defaults.tasksDirectory),
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
            warehouse: loadGoldViews(sources.warehouseDirectory ?? defaults.warehouseDirectory),
            mart: loadGoldViews(sources.martDirectory ?? defaults.martDirectory),
          },
        }
      : {}),
  };
}
