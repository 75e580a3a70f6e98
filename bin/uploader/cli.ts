/** The uploader's commands: each returns an exit code (see EXIT); the entry point is bin/uploader.ts. */
import { readFileSync } from 'fs';
import { basename, join, resolve } from 'path';
import { parseCommandLine, usage, UsageError, type ParsedArgs, type Values } from './args';
import { uploaderS3Client } from './client';
import { DEFAULTS, EXIT } from './defaults';
import { drain, emptySummary, type DrainSummary } from './drain';
import { fetchLine, NdjsonRoller } from './http-source';
import { checkTarget, objectKey } from './keys';
import { createLogger, errorFields, type Logger, type LogLevel } from './log';
import type { UploadContext } from './put-object';
import {
  createSession,
  credentialProcessOutput,
  CredentialsError,
  rolesAnywhereProvider,
  type RolesAnywhereOptions,
} from './roles-anywhere';
import { FolderScanner } from './scan';
import { Spool, SpoolFullError } from './spool';

export interface CliIo {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  readonly stopSignal?: Promise<void>;
}

const str = (v: Values, k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
const num = (v: Values, k: string, d: number) => (typeof v[k] === 'number' ? (v[k] as number) : d);
const sleep = (ms: number, stop?: Promise<void>) =>
  Promise.race([new Promise<void>((r) => setTimeout(r, ms)), ...(stop ? [stop] : [])]);

function required(values: Values, flag: string): string {
  const v = str(values, flag);
  if (!v) throw new UsageError(`--${flag} is required`);
  return v;
}

function region(values: Values, env: NodeJS.ProcessEnv): string {
  const r = str(values, 'region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!r) throw new UsageError('--region is required (or set AWS_REGION)');
  return r;
}

/** Roles Anywhere options when --certificate is given (all of its flags are then required). */
function rolesAnywhereOptions(values: Values, env: NodeJS.ProcessEnv, cwd: string): RolesAnywhereOptions | undefined {
  if (!str(values, 'certificate')) {
    for (const f of ['private-key', 'trust-anchor-arn', 'profile-arn', 'role-arn']) {
      if (str(values, f)) throw new UsageError(`--${f} needs --certificate (Roles Anywhere)`);
    }
    return undefined;
  }
  const read = (flag: string) => {
    const path = resolve(cwd, required(values, flag));
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new UsageError(`--${flag} ${path}: ${(err as Error).message}`, { cause: err });
    }
  };
  const chain = str(values, 'certificate-chain');
  return {
    certificatePem: read('certificate'),
    privateKeyPem: read('private-key'),
    ...(chain ? { chainPem: read('certificate-chain') } : {}),
    trustAnchorArn: required(values, 'trust-anchor-arn'),
    profileArn: required(values, 'profile-arn'),
    roleArn: required(values, 'role-arn'),
    region: region(values, env),
    endpoint: str(values, 'roles-anywhere-endpoint'),
    durationSeconds: num(values, 'session-duration', DEFAULTS.sessionDurationSeconds),
  };
}

interface Setup {
  readonly spool: Spool;
  readonly ctx: UploadContext;
  readonly log: Logger;
}

async function setup(args: ParsedArgs, io: CliIo, spoolDir: string, log: Logger): Promise<Setup> {
  const { values } = args;
  const source = required(values, 'source');
  const dataset = required(values, 'dataset');
  checkTarget(source, dataset);
  const bucket = required(values, 'bucket');
  const ra = rolesAnywhereOptions(values, io.env, io.cwd);
  const concurrency = num(values, 'concurrency', DEFAULTS.concurrency);
  const partConcurrency = num(values, 'part-concurrency', DEFAULTS.partConcurrency);
  const client = uploaderS3Client({
    region: region(values, io.env),
    endpoint: str(values, 'endpoint'),
    pathStyle: values['path-style'] === true,
    requestTimeoutMs: num(values, 'request-timeout-ms', DEFAULTS.requestTimeoutMs),
    credentials: ra ? rolesAnywhereProvider(ra) : undefined,
    maxSockets: concurrency * partConcurrency,
  });
  const spool = await Spool.open(spoolDir, {
    maxBytes: num(values, 'max-spool-bytes', DEFAULTS.maxSpoolBytes),
    keyOf: (name, sha256) => objectKey(source, dataset, name, sha256),
    log,
  });
  const ctx: UploadContext = {
    client,
    bucket,
    partSizeBytes: num(values, 'part-size', DEFAULTS.partSizeBytes),
    partConcurrency,
    retry: {
      maxAttempts: num(values, 'max-attempts', DEFAULTS.maxAttempts),
      baseDelayMs: num(values, 'base-delay-ms', DEFAULTS.baseDelayMs),
      maxDelayMs: num(values, 'max-delay-ms', DEFAULTS.maxDelayMs),
      onRetry: (attempt, err, delayMs) => log.warn('retry', { attempt, delayMs, ...errorFields(err) }),
    },
  };
  return { spool, ctx, log };
}

function exitCode(summary: DrainSummary, spoolFull = false): number {
  if (summary.credentialErrors > 0) return EXIT.credentials;
  if (summary.failed > 0) return EXIT.failed;
  if (spoolFull) return EXIT.spoolFull;
  if (summary.deferred > 0) return EXIT.retriesExhausted;
  return EXIT.ok;
}

function add(total: DrainSummary, s: DrainSummary): void {
  for (const k of Object.keys(total) as (keyof DrainSummary)[]) total[k] += s[k];
}

async function runDrain(s: Setup, values: Values, stopping?: () => boolean): Promise<DrainSummary> {
  const summary = await drain(s.spool, s.ctx, {
    concurrency: num(values, 'concurrency', DEFAULTS.concurrency),
    keepSent: values['keep-sent'] === true,
    log: s.log,
    stopping,
  });
  if (summary.uploaded + summary.alreadyPresent + summary.failed + summary.deferred + summary.credentialErrors > 0) {
    s.log.info('drained', { ...summary });
  }
  return summary;
}

async function send(args: ParsedArgs, io: CliIo, log: Logger): Promise<number> {
  if (args.positionals.length === 0) throw new UsageError('send: name at least one file');
  const s = await setup(args, io, resolve(io.cwd, str(args.values, 'spool') ?? DEFAULTS.spoolDir), log);
  let full = false;
  for (const file of args.positionals) {
    const path = resolve(io.cwd, file);
    try {
      await s.spool.admitByCopy(path, basename(path));
    } catch (err) {
      if (err instanceof SpoolFullError) {
        full = true;
        log.error('spool-full', { file: path, message: err.message });
      } else {
        throw new UsageError(`${path}: ${(err as Error).message}`, { cause: err });
      }
    }
  }
  const summary = await runDrain(s, args.values);
  return exitCode(summary, full);
}

async function watch(args: ParsedArgs, io: CliIo, log: Logger): Promise<number> {
  if (args.positionals.length !== 1) throw new UsageError('watch: name exactly one folder');
  const dir = resolve(io.cwd, args.positionals[0]);
  const spoolDir = resolve(io.cwd, str(args.values, 'spool') ?? join(dir, DEFAULTS.watchedSpoolName));
  const s = await setup(args, io, spoolDir, log);
  const settleMs = num(args.values, 'settle-ms', DEFAULTS.settleMs);
  const scanner = new FolderScanner(dir, settleMs);
  const once = args.values.once === true;
  let stopped = false;
  void io.stopSignal?.then(() => (stopped = true));
  const total = emptySummary();
  let full = false;
  log.info('watching', { dir, spool: spoolDir });
  do {
    if (once) {
      await scanner.scan();
      await sleep(settleMs);
    }
    // Admission hashes and fsyncs each file: a few at a time (the byte budget is reserved synchronously).
    const settled = await scanner.scan();
    let next = 0;
    const admit = async () => {
      while (next < settled.length && !stopped && !full) {
        const file = settled[next++];
        try {
          await s.spool.admitByMove(file.path, file.name);
          scanner.forget(file.path);
        } catch (err) {
          if (!(err instanceof SpoolFullError)) throw err;
          full = true;
          log.error('spool-full', { file: file.path, message: err.message });
        }
      }
    };
    await Promise.all(Array.from({ length: num(args.values, 'concurrency', DEFAULTS.concurrency) }, admit));
    add(total, await runDrain(s, args.values, () => stopped));
    if (!once && !stopped)
      await sleep(num(args.values, 'scan-interval', DEFAULTS.scanIntervalSeconds) * 1000, io.stopSignal);
  } while (!once && !stopped);
  return exitCode(total, full);
}

async function poll(args: ParsedArgs, io: CliIo, log: Logger): Promise<number> {
  if (args.positionals.length !== 1) throw new UsageError('poll: name exactly one URL');
  const url = args.positionals[0];
  if (!/^https?:\/\//.test(url)) throw new UsageError(`poll: "${url}" is not an http(s) URL`);
  const s = await setup(args, io, resolve(io.cwd, str(args.values, 'spool') ?? DEFAULTS.spoolDir), log);
  const intervalMs = num(args.values, 'interval', DEFAULTS.pollIntervalSeconds) * 1000;
  const maxPolls = num(args.values, 'max-polls', Number.POSITIVE_INFINITY);
  const roller = new NdjsonRoller(
    s.spool,
    url,
    num(args.values, 'roll-bytes', DEFAULTS.rollBytes),
    num(args.values, 'roll-seconds', DEFAULTS.rollSeconds) * 1000,
    log,
  );
  let stopped = false;
  void io.stopSignal?.then(() => (stopped = true));
  const total = emptySummary();
  let full = false;
  const start = Date.now();
  for (let n = 0; n < maxPolls && !stopped; n++) {
    try {
      const line = await fetchLine(url, Math.max(1000, Math.min(intervalMs, DEFAULTS.requestTimeoutMs)));
      await roller.append(line);
      log.info('polled', { url, bytes: line.length });
    } catch (err) {
      if (err instanceof SpoolFullError) full = true;
      log.error('poll-failed', { url, ...errorFields(err) });
    }
    await roller.rollIfOld();
    add(total, await runDrain(s, args.values, () => stopped));
    if (n + 1 < maxPolls && !stopped)
      await sleep(Math.max(0, start + (n + 1) * intervalMs - Date.now()), io.stopSignal);
  }
  await roller.close();
  add(total, await runDrain(s, args.values));
  return exitCode(total, full);
}

/** The spool of `--spool`, or of a watched folder, opened by a command that only reads or moves what is there. */
function openExistingSpool(args: ParsedArgs, io: CliIo, log: Logger, command: string): Promise<Spool> {
  const spoolDir = resolve(
    io.cwd,
    str(args.values, 'spool') ??
      (args.positionals[0] ? join(args.positionals[0], DEFAULTS.watchedSpoolName) : DEFAULTS.spoolDir),
  );
  return Spool.open(spoolDir, {
    maxBytes: num(args.values, 'max-spool-bytes', DEFAULTS.maxSpoolBytes),
    keyOf: () => {
      throw new UsageError(`${command} does not admit files`);
    },
    log,
  });
}

async function status(args: ParsedArgs, io: CliIo, log: Logger): Promise<number> {
  const spool = await openExistingSpool(args, io, log, 'status');
  const report = await spool.status();
  io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  return EXIT.ok;
}

async function requeue(args: ParsedArgs, io: CliIo, log: Logger): Promise<number> {
  const spool = await openExistingSpool(args, io, log, 'requeue');
  const moved = await spool.requeue();
  log.info('requeued', { files: moved });
  return EXIT.ok;
}

async function credentialProcess(args: ParsedArgs, io: CliIo): Promise<number> {
  const options = rolesAnywhereOptions(args.values, io.env, io.cwd);
  if (!options) throw new UsageError('credential-process needs --certificate, --private-key and the three ARNs');
  io.stdout(`${credentialProcessOutput(await createSession(options))}\n`);
  return EXIT.ok;
}

/** Runs one command line; never throws. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let log = createLogger({}, 'info', io.stderr);
  try {
    const args = parseCommandLine(argv);
    const level = (str(args.values, 'log-level') ?? 'info') as LogLevel;
    if (!['debug', 'info', 'warn', 'error'].includes(level))
      throw new UsageError(`--log-level: "${level}" is not one of debug, info, warn, error`);
    log = createLogger(
      {
        command: args.command,
        ...(str(args.values, 'source') ? { source: args.values.source, dataset: args.values.dataset } : {}),
      },
      level,
      io.stderr,
    );
    if (args.values.help || !args.command) {
      io.stdout(`${usage()}\n`);
      return args.values.help ? EXIT.ok : EXIT.usage;
    }
    switch (args.command) {
      case 'send':
        return await send(args, io, log);
      case 'watch':
        return await watch(args, io, log);
      case 'poll':
        return await poll(args, io, log);
      case 'status':
        return await status(args, io, log);
      case 'requeue':
        return await requeue(args, io, log);
      case 'credential-process':
        return await credentialProcess(args, io);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as Error).name === 'KeyError') {
      log.error('usage', { message: (err as Error).message });
      return EXIT.usage;
    }
    if (err instanceof CredentialsError) {
      log.error('credentials-failed', errorFields(err));
      return EXIT.credentials;
    }
    log.error('crashed', { ...errorFields(err), stack: (err as Error).stack });
    return EXIT.failed;
  }
}
