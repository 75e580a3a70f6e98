/**
 * The plan command: offline (fresh-deploy SQL, no credentials) or live (read-only against the
 * environment's account). Exit codes: 0 planned, 1 error, 2 the live plan has blocked changes.
 */
import { readFileSync } from 'fs';
import { resolveEnvironment } from '../../contracts/config';
import type { ResolvedEnvironment } from '../../contracts/config';
import { readPipelineConfig } from '../../lib/config-file';
import { sqlDirectoryHint } from '../../lib/snowflake/data-model-input';
import { SqlFileError } from '../../snowflake/model/errors';
import type { SessionOptions, SnowflakeSession } from '../../lambda/shared/snowflake/connection';
import { openSession } from '../../lambda/shared/snowflake/connection';
import type { SqlSession } from '../../snowflake/engine/types';
import { getKind } from '../../snowflake/kinds/registry';
import { PlanArgsError, USAGE, parsePlanArgs } from './args';
import type { PlanArgs } from './args';
import { livePlan, offlinePlan, readOnlySession } from './live';
import type { PlannedChange } from './live';
import { environmentObjects, placeholderBucket } from './objects';
import { renderMarkdown, renderText, summarize } from './render';

export interface PlanIo {
  readonly env: NodeJS.ProcessEnv;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Opens the live session (tests pass short retry settings). @default openSession */
  readonly connect?: (config: ResolvedEnvironment, args: PlanArgs) => Promise<SnowflakeSession>;
}

/** The environment's connection, with the key from a local PEM file when given. */
export function connectLive(
  config: ResolvedEnvironment,
  args: PlanArgs,
  env: NodeJS.ProcessEnv,
  options: SessionOptions = {},
): Promise<SnowflakeSession> {
  const sf = config.environment.snowflake;
  const file = args.privateKeyFile;
  return openSession(
    {
      account: sf.account,
      user: sf.user,
      role: sf.role,
      warehouse: sf.warehouse,
      privateKeySecretArn: sf.privateKeySecretArn,
      ...(sf.host ? { host: sf.host } : {}),
      ...(args.accessUrl ? { accessUrl: args.accessUrl } : {}),
    },
    {
      ...options,
      ...(file
        ? {
            readKey: async () => ({
              privateKey: readFileSync(file, 'utf8'),
              ...(env.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE ? { passphrase: env.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE } : {}),
            }),
          }
        : {}),
    },
  );
}

/** The stage bucket of the deployed stage (its URL), when it exists; `objects` are the environment's. */
async function deployedBucket(
  objects: ReturnType<typeof environmentObjects>,
  session: SqlSession,
): Promise<string | undefined> {
  const stage = objects.find((o) => o.kind === 'stage');
  if (!stage) return undefined;
  const kind = getKind('stage');
  const state = (await kind.read(kind.schema.parse(stage.definition), session).catch(() => undefined)) as
    { url?: string } | undefined;
  return /^s3:\/\/([^/]+)\//.exec(state?.url ?? '')?.[1];
}

export async function runPlanCli(argv: readonly string[], io: PlanIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  let args: PlanArgs;
  try {
    args = parsePlanArgs(argv, io.env);
  } catch (error) {
    if (!(error instanceof PlanArgsError)) throw error;
    io.err(`plan: ${error.message}\n\n${USAGE}`);
    return 1;
  }
  const config = resolveEnvironment(readPipelineConfig(args.configFile), args.environment);
  // --gold-dir / --tasks-dir override those parts of the config's SQL folder.
  const sources = { goldDirectory: args.goldDirectory, tasksDirectory: args.tasksDirectory };
  let placeholderObjects: ReturnType<typeof environmentObjects>;
  try {
    // The SQL files are read and checked against the config before anything else (and before a live session).
    placeholderObjects = environmentObjects(config, placeholderBucket(config), sources);
  } catch (error) {
    if (!(error instanceof SqlFileError)) throw error;
    io.err(`plan: ${error.message}\n${sqlDirectoryHint(config.sqlDirectory)}`);
    return 1;
  }
  const render = args.format === 'markdown' ? renderMarkdown : renderText;
  const env = config.environment;
  let plan: PlannedChange[];
  if (!args.live) {
    const bucket = args.stageBucket ?? placeholderBucket(config);
    plan = offlinePlan(args.stageBucket ? environmentObjects(config, bucket, sources) : placeholderObjects);
    io.out(
      render(plan, {
        title: `Snowflake plan for ${config.project} ${env.name}: fresh deploy (offline${args.stageBucket ? '' : `, stage bucket shown as ${bucket}`})`,
      }),
    );
    return 0;
  }
  const session = await (io.connect ?? ((c, a) => connectLive(c, a, io.env)))(config, args);
  try {
    const reader = readOnlySession(session);
    const bucket = args.stageBucket ?? (await deployedBucket(placeholderObjects, reader)) ?? placeholderBucket(config);
    plan = await livePlan(environmentObjects(config, bucket, sources), reader);
  } finally {
    await session.close();
  }
  io.out(
    render(plan, {
      title: `Snowflake plan for ${config.project} ${env.name}: update of ${env.snowflake.account} (read-only)`,
      hideUnchanged: true,
    }),
  );
  return summarize(plan).blocked ? 2 : 0;
}
