/**
 * The uploader's command line: `<command> [positionals] --flag value …`, optionally with `--config <file.json>`
 * holding the same flags by long name (flags on the command line win). One table drives parsing and `--help`.
 */
import { readFileSync } from 'fs';
import { parseArgs } from 'util';
import { DEFAULTS, MIN_PART_BYTES } from './defaults';

export const COMMANDS = ['send', 'watch', 'poll', 'status', 'requeue', 'credential-process'] as const;
export type Command = (typeof COMMANDS)[number];

type Kind = 'string' | 'boolean' | 'bytes' | 'int';
interface FlagSpec {
  readonly kind: Kind;
  readonly help: string;
}

/** Every flag, its kind and its help line. */
export const FLAGS: Record<string, FlagSpec> = {
  source: { kind: 'string', help: 'source name: the first key segment (<source>/<dataset>/…)' },
  dataset: { kind: 'string', help: 'dataset name: the second key segment' },
  bucket: { kind: 'string', help: 'inbound bucket name (stack output InboundBucketName)' },
  region: { kind: 'string', help: 'AWS region (default: AWS_REGION, AWS_DEFAULT_REGION)' },
  endpoint: { kind: 'string', help: 'S3 endpoint URL (default: AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, else AWS)' },
  'path-style': { kind: 'boolean', help: 'path-style S3 addressing (local servers)' },
  spool: {
    kind: 'string',
    help: `spool folder (default: ${DEFAULTS.spoolDir}; watch: <dir>/${DEFAULTS.watchedSpoolName})`,
  },
  'max-spool-bytes': {
    kind: 'bytes',
    help: `largest data held in the spool, e.g. 10GiB (default ${DEFAULTS.maxSpoolBytes})`,
  },
  'part-size': { kind: 'bytes', help: `multipart part size, ≥ 5MiB (default ${DEFAULTS.partSizeBytes})` },
  concurrency: { kind: 'int', help: `files uploaded at once (default ${DEFAULTS.concurrency})` },
  'part-concurrency': { kind: 'int', help: `parts of one file uploaded at once (default ${DEFAULTS.partConcurrency})` },
  'max-attempts': { kind: 'int', help: `attempts per request (default ${DEFAULTS.maxAttempts})` },
  'base-delay-ms': { kind: 'int', help: `backoff base (default ${DEFAULTS.baseDelayMs})` },
  'max-delay-ms': { kind: 'int', help: `backoff cap (default ${DEFAULTS.maxDelayMs})` },
  'request-timeout-ms': {
    kind: 'int',
    help: `abandon a silent request after this (default ${DEFAULTS.requestTimeoutMs})`,
  },
  'keep-sent': { kind: 'boolean', help: 'keep the data of sent files in sent/ (default: removed, receipts kept)' },
  'log-level': { kind: 'string', help: 'debug | info | warn | error (default info)' },
  once: { kind: 'boolean', help: 'watch: scan (twice, settleMs apart), upload, exit' },
  'scan-interval': { kind: 'int', help: `watch: seconds between scans (default ${DEFAULTS.scanIntervalSeconds})` },
  'settle-ms': { kind: 'int', help: `watch: a file is taken once unchanged this long (default ${DEFAULTS.settleMs})` },
  interval: { kind: 'int', help: `poll: seconds between requests (default ${DEFAULTS.pollIntervalSeconds})` },
  'roll-bytes': { kind: 'bytes', help: `poll: close the NDJSON roll at this size (default ${DEFAULTS.rollBytes})` },
  'roll-seconds': { kind: 'int', help: `poll: …or at this age (default ${DEFAULTS.rollSeconds})` },
  'max-polls': { kind: 'int', help: 'poll: stop after this many requests (default: run until stopped)' },
  certificate: { kind: 'string', help: 'Roles Anywhere: PEM certificate file of this host' },
  'private-key': { kind: 'string', help: 'Roles Anywhere: PEM private key file (RSA or EC)' },
  'certificate-chain': { kind: 'string', help: 'Roles Anywhere: PEM file of intermediate CA certificates' },
  'trust-anchor-arn': {
    kind: 'string',
    help: 'Roles Anywhere: trust anchor ARN (stack output TrustAnchorArn<Source>)',
  },
  'profile-arn': { kind: 'string', help: 'Roles Anywhere: profile ARN (stack output RolesAnywhereProfileArn<Source>)' },
  'role-arn': {
    kind: 'string',
    help: 'Roles Anywhere: the source upload role ARN (stack output UploadRoleArn<Source>)',
  },
  'roles-anywhere-endpoint': {
    kind: 'string',
    help: 'Roles Anywhere endpoint (default https://rolesanywhere.<region>.amazonaws.com)',
  },
  'session-duration': {
    kind: 'int',
    help: `Roles Anywhere session seconds (default ${DEFAULTS.sessionDurationSeconds})`,
  },
  config: { kind: 'string', help: 'JSON file of these flags by long name (command-line flags win)' },
  help: { kind: 'boolean', help: 'show this help' },
};

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type Values = Record<string, string | number | boolean | undefined>;

export interface ParsedArgs {
  readonly command: Command | undefined;
  readonly positionals: readonly string[];
  readonly values: Values;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)?$/i;
const UNITS: Record<string, number> = {
  b: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
};

/** `512MiB` → 536870912; a bare number is bytes. */
export function parseBytes(flag: string, raw: string | number): number {
  const m = SIZE.exec(String(raw).trim());
  if (!m) throw new UsageError(`--${flag}: "${raw}" is not a size (e.g. 1048576, 512MiB, 10GiB)`);
  return Math.floor(Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]);
}

function convert(flag: string, spec: FlagSpec, raw: unknown): string | number | boolean {
  if (spec.kind === 'boolean') {
    if (typeof raw !== 'boolean') throw new UsageError(`--${flag}: expected true or false, got ${JSON.stringify(raw)}`);
    return raw;
  }
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    throw new UsageError(`--${flag}: expected a value, got ${JSON.stringify(raw)}`);
  }
  if (spec.kind === 'bytes') return parseBytes(flag, raw);
  if (spec.kind === 'int') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${flag}: "${raw}" is not a whole number ≥ 0`);
    return n;
  }
  return String(raw);
}

export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        Object.entries(FLAGS).map(([name, spec]) => [name, { type: spec.kind === 'boolean' ? 'boolean' : 'string' }]),
      ) as Record<string, { type: 'string' | 'boolean' }>,
    });
  } catch (err) {
    throw new UsageError((err as Error).message, { cause: err });
  }
  const [command, ...positionals] = parsed.positionals;
  if (command !== undefined && !(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`unknown command "${command}" (have: ${COMMANDS.join(', ')})`);
  }
  const raw: Record<string, unknown> = {};
  const configPath = parsed.values.config as string | undefined;
  if (configPath) {
    let fromFile: unknown;
    try {
      fromFile = JSON.parse(readFileSync(configPath, 'utf8'));
    } catch (err) {
      throw new UsageError(`--config ${configPath}: ${(err as Error).message}`, { cause: err });
    }
    if (!fromFile || typeof fromFile !== 'object' || Array.isArray(fromFile)) {
      throw new UsageError(`--config ${configPath}: must hold a JSON object of flags`);
    }
    for (const [name, value] of Object.entries(fromFile)) {
      if (!FLAGS[name] || name === 'config') throw new UsageError(`--config ${configPath}: unknown flag "${name}"`);
      raw[name] = value;
    }
  }
  Object.assign(raw, Object.fromEntries(Object.entries(parsed.values).filter(([, v]) => v !== undefined)));
  const values: Values = {};
  for (const [name, value] of Object.entries(raw)) values[name] = convert(name, FLAGS[name], value);
  const partSize = values['part-size'];
  if (typeof partSize === 'number' && partSize < MIN_PART_BYTES) {
    throw new UsageError(`--part-size: ${partSize} is below S3's minimum part size ${MIN_PART_BYTES} (5MiB)`);
  }
  for (const flag of ['concurrency', 'part-concurrency', 'max-attempts']) {
    if (values[flag] === 0) throw new UsageError(`--${flag}: must be at least 1`);
  }
  return { command: command as Command | undefined, positionals, values };
}

export function usage(): string {
  const flags = Object.entries(FLAGS)
    .map(([name, spec]) => `  --${name}${spec.kind === 'boolean' ? '' : ' <value>'}`.padEnd(34) + spec.help)
    .join('\n');
  return `Usage: s3-uploader <command> [arguments] [flags]

Commands (one <source>/<dataset> each):
  send <files…>        spool copies of the files, upload them, exit
  watch <dir>          move settled files from <dir> (recursively) into the spool and upload them, until stopped
  poll <url>           request a JSON endpoint every --interval seconds, spool the responses as NDJSON rolls, upload
  status               print the spool's state as JSON
  requeue              move failed files back to incoming (uploaded by the next send/watch/poll)
  credential-process   print Roles Anywhere credentials as credential_process JSON (for the AWS CLI / SDKs)

Flags:
${flags}

Exit codes: 0 done, 1 some files failed (see failed/), 2 usage, 3 retries exhausted (kept for the next run),
4 spool or disk full, 5 credentials.`;
}
