/**
 * The in-memory Snowflake account of the test server: executes the DDL the provisioner emits
 * (CREATE / ALTER / DROP / SHOW / DESC / SYSTEM$PIPE_STATUS) over a small catalog. Creating an
 * existing object, or CREATE OR REPLACE of a running pipe, fails like Snowflake would (or louder).
 */
import { randomBytes } from 'crypto';
import { Reader, SqlFailure, tokenize, unsupported } from './sql-reader';
import type { Rows } from './sql-reader';
import { ModelObjects } from './model-catalog';
import { AccessObjects } from './access-catalog';
import { checkPipeCopy } from './copy-statement';
import { renderCopy, type PipeDefinition } from '../../../snowflake/kinds/pipe';

export { SqlFailure };
export type { Rows };

export interface Pipe {
  definition: string;
  comment: string;
  errorIntegration: string | null;
  paused: boolean;
  /** Files queued (by a notification or a REFRESH) and not loaded: they wait while the pipe is paused. */
  pending: { path: string; queuedAt: Date }[];
  /** A `STOPPED_*` execution state (e.g. STOPPED_STAGE_ALTERED after its stage's URL changed). */
  stopped?: string;
  notificationChannel: string;
}

/** The in-memory account. Keys are canonical dotted names. */
export class Catalog {
  databases = new Map<string, { comment: string }>();
  schemas = new Map<string, { comment: string }>();
  integrations = new Map<string, Record<string, string>>();
  notificationIntegrations = new Map<string, Record<string, string>>();
  fileFormats = new Map<string, { type: string; compression: string; stripOuterArray: boolean; comment: string }>();
  stages = new Map<string, { url: string; integration: string; fileFormat: string; comment: string }>();
  tables = new Map<string, { columns: { name: string; type: string }[]; comment: string }>();
  pipes = new Map<string, Pipe>();
  /** Files each pipe refresh was asked to load since (for assertions). */
  refreshes: { pipe: string; modifiedAfter: string; prefix?: string }[] = [];
  /** Files in the stage bucket (paths below the stage URL) that ALTER PIPE … REFRESH can queue. */
  stagedFiles: { path: string; lastModified: Date }[] = [];
  /** Paths already loaded (load metadata): REFRESH never queues them again. */
  loadedFiles = new Set<string>();
  /** Every load of a file into a table, in order (a path twice here is a double load). */
  loads: string[] = [];
  /** The current time of REFRESH's 7-day window. @default the real clock */
  now: () => Date = () => new Date();
  notificationExternalId = 'ABC12345_SFCRole=2_Notification';
  iamUserArn = 'arn:aws:iam::123456789012:user/abc1-s-test';
  sqsArn = 'arn:aws:sqs:eu-west-1:123456789012:sf-snowpipe-TEST';

  /** Puts a running pipe (nothing pending, no comment, no error integration) as a deploy would leave it. */
  putRunningPipe(pipe: PipeDefinition): void {
    this.pipes.set(`${pipe.database}.${pipe.schema}.${pipe.name}`, {
      definition: renderCopy(pipe),
      comment: '',
      errorIntegration: null,
      paused: false,
      pending: [],
      notificationChannel: this.sqsArn,
    });
  }

  /** Streams, tasks, views, roles, grants and the data model's tables (model-catalog.ts). */
  readonly model = new ModelObjects(this);

  /** Users and object grants (access-catalog.ts). */
  readonly access = new AccessObjects(this);

  execute(sql: string): Rows {
    const access = this.access.execute(sql);
    if (access) return access;
    const model = this.model.execute(sql);
    if (model) return model;
    const tokens = tokenize(sql);
    const r = new Reader(tokens, sql);
    const verb = r.word();
    switch (verb) {
      case 'CREATE':
        return this.create(r, sql);
      case 'ALTER':
        return this.alter(r, sql);
      case 'DROP':
        return this.drop(r);
      case 'SHOW':
        return this.show(r);
      case 'DESC':
      case 'DESCRIBE':
        return this.describe(r);
      case 'SELECT':
        return this.select(r);
      default:
        throw unsupported(sql);
    }
  }

  private create(r: Reader, sql: string): Rows {
    let replace = false;
    if (r.peekWord('OR')) {
      r.word();
      r.expectWord('REPLACE');
      replace = true;
    }
    const kind = kindWords(r);
    let ifNotExists = false;
    if (r.peekWord('IF')) {
      r.word();
      r.expectWord('NOT');
      r.expectWord('EXISTS');
      ifNotExists = true;
    }
    const name = r.name();
    const map = this.mapOf(kind);
    if (map.has(name) && !replace) {
      if (ifNotExists) return status(`${name} already exists, statement succeeded.`);
      throw new SqlFailure(`SQL compilation error:\nObject '${name}' already exists.`, '002002', '42710');
    }
    switch (kind) {
      case 'DATABASE':
        this.databases.set(name, { comment: r.props().COMMENT ?? '' });
        break;
      case 'SCHEMA':
        if (!this.databases.has(name.split('.')[0])) throw notExists(name.split('.')[0]);
        this.schemas.set(name, { comment: r.props().COMMENT ?? '' });
        break;
      case 'STORAGE INTEGRATION': {
        const p = r.props();
        this.integrations.set(name, {
          STORAGE_PROVIDER: p.STORAGE_PROVIDER ?? 'S3',
          ENABLED: (p.ENABLED ?? 'TRUE').toLowerCase(),
          STORAGE_AWS_ROLE_ARN: p.STORAGE_AWS_ROLE_ARN ?? '',
          // Like Snowflake: generated (random) when not given.
          STORAGE_AWS_EXTERNAL_ID:
            p.STORAGE_AWS_EXTERNAL_ID ?? `TESTACCT_SFCRole=2_${randomBytes(18).toString('base64url')}`,
          STORAGE_ALLOWED_LOCATIONS: p.STORAGE_ALLOWED_LOCATIONS ?? '',
          STORAGE_BLOCKED_LOCATIONS: p.STORAGE_BLOCKED_LOCATIONS ?? '',
          STORAGE_AWS_IAM_USER_ARN: this.iamUserArn,
          COMMENT: p.COMMENT ?? '',
        });
        break;
      }
      case 'NOTIFICATION INTEGRATION': {
        const p = r.props();
        this.notificationIntegrations.set(name, {
          TYPE: p.TYPE ?? '',
          DIRECTION: p.DIRECTION ?? '',
          NOTIFICATION_PROVIDER: p.NOTIFICATION_PROVIDER ?? '',
          ENABLED: (p.ENABLED ?? 'TRUE').toLowerCase(),
          AWS_SNS_TOPIC_ARN: p.AWS_SNS_TOPIC_ARN ?? '',
          AWS_SNS_ROLE_ARN: p.AWS_SNS_ROLE_ARN ?? '',
          SF_AWS_IAM_USER_ARN: this.iamUserArn,
          SF_AWS_EXTERNAL_ID: this.notificationExternalId,
          COMMENT: p.COMMENT ?? '',
        });
        break;
      }
      case 'FILE FORMAT': {
        this.requireSchema(name);
        const p = r.props();
        this.fileFormats.set(name, {
          type: p.TYPE ?? 'CSV',
          compression: p.COMPRESSION ?? 'AUTO',
          stripOuterArray: p.STRIP_OUTER_ARRAY === 'TRUE',
          comment: p.COMMENT ?? '',
        });
        break;
      }
      case 'STAGE': {
        this.requireSchema(name);
        const p = r.props();
        if (p.STORAGE_INTEGRATION && !this.integrations.has(p.STORAGE_INTEGRATION))
          throw notExists(p.STORAGE_INTEGRATION);
        if (p.STORAGE_INTEGRATION) this.checkAllowed(p.STORAGE_INTEGRATION, p.URL ?? '');
        this.stages.set(name, {
          url: p.URL ?? '',
          integration: p.STORAGE_INTEGRATION ?? '',
          fileFormat: p['FILE_FORMAT.FORMAT_NAME'] ?? '',
          comment: p.COMMENT ?? '',
        });
        break;
      }
      case 'TABLE': {
        this.requireSchema(name);
        const columns = r.columnList();
        const p = r.props();
        this.tables.set(name, { columns, comment: p.COMMENT ?? '' });
        break;
      }
      case 'PIPE': {
        this.requireSchema(name);
        const p = r.props();
        const as = sql.search(/\sAS\s+COPY\s/i);
        if (as < 0) throw unsupported(sql);
        const definition = sql.slice(as).replace(/^\s*AS\s+/i, '');
        // Table, columns, SELECT items, stage, file format and copy options, as Snowflake checks them.
        checkPipeCopy(definition, this);
        if (p.ERROR_INTEGRATION && !this.notificationIntegrations.has(p.ERROR_INTEGRATION))
          throw notExists(p.ERROR_INTEGRATION);
        const old = this.pipes.get(name);
        if (old && !old.paused && !old.stopped)
          throw new SqlFailure(
            'test server: CREATE OR REPLACE of a running pipe (the provisioner must never do this)',
            '999999',
            '55000',
          );
        // CREATE OR REPLACE drops the grants on the old pipe (pipes take no COPY GRANTS).
        if (old) for (const g of [...this.model.grants]) if (g.includes(`|PIPE|${name}|`)) this.model.grants.delete(g);
        this.pipes.set(name, {
          definition,
          comment: p.COMMENT ?? '',
          errorIntegration: p.ERROR_INTEGRATION ?? null,
          paused: false,
          // The queue belongs to the pipe object: a recreated pipe starts empty (what was pending is lost).
          pending: [],
          notificationChannel: old?.notificationChannel ?? this.sqsArn,
        });
        break;
      }
      default:
        throw unsupported(sql);
    }
    return status(`${kind} ${name} successfully created.`);
  }

  private alter(r: Reader, sql: string): Rows {
    const kind = kindWords(r);
    const name = r.name();
    const action = r.word();
    const obj = this.mapOf(kind).get(name);
    if (!obj) throw notExists(name);
    if (kind === 'TABLE' && action === 'ADD') {
      r.expectWord('COLUMN');
      const table = this.tables.get(name)!;
      for (const c of r.columnList(false)) table.columns.push(c);
      return status('Statement executed successfully.');
    }
    if (kind === 'PIPE' && action === 'REFRESH') {
      const p = r.props();
      this.refreshes.push({
        pipe: name,
        modifiedAfter: p.MODIFIED_AFTER ?? '',
        ...(p.PREFIX !== undefined ? { prefix: p.PREFIX } : {}),
      });
      return this.refresh(name, p.PREFIX ?? '', p.MODIFIED_AFTER);
    }
    if (action === 'UNSET') {
      const prop = r.word();
      if (kind === 'STORAGE INTEGRATION') this.integrations.get(name)![prop] = '';
      else if (kind === 'PIPE' && prop === 'COMMENT') this.pipes.get(name)!.comment = '';
      else throw unsupported(sql);
      return status('Statement executed successfully.');
    }
    if (action !== 'SET') throw unsupported(sql);
    const p = r.props();
    switch (kind) {
      case 'DATABASE':
      case 'SCHEMA':
        (obj as { comment: string }).comment = p.COMMENT ?? '';
        break;
      case 'STORAGE INTEGRATION': {
        const i = this.integrations.get(name)!;
        for (const [k, v] of Object.entries(p)) i[k] = k === 'ENABLED' ? v.toLowerCase() : v;
        break;
      }
      case 'NOTIFICATION INTEGRATION': {
        const i = this.notificationIntegrations.get(name)!;
        if ((p.AWS_SNS_TOPIC_ARN === undefined) !== (p.AWS_SNS_ROLE_ARN === undefined))
          throw new SqlFailure(
            'SQL compilation error: AWS_SNS_TOPIC_ARN and AWS_SNS_ROLE_ARN go together',
            '001003',
            '42000',
          );
        for (const [k, v] of Object.entries(p)) i[k] = k === 'ENABLED' ? v.toLowerCase() : v;
        break;
      }
      case 'FILE FORMAT': {
        const f = this.fileFormats.get(name)!;
        if (p.COMPRESSION) f.compression = p.COMPRESSION;
        if (p.STRIP_OUTER_ARRAY) f.stripOuterArray = p.STRIP_OUTER_ARRAY === 'TRUE';
        if (p.COMMENT !== undefined) f.comment = p.COMMENT;
        break;
      }
      case 'STAGE': {
        const s = this.stages.get(name)!;
        if (p.URL || p.STORAGE_INTEGRATION) this.checkAllowed(p.STORAGE_INTEGRATION ?? s.integration, p.URL ?? s.url);
        if (p.URL && p.URL !== s.url)
          // Snowflake: pipes on a stage whose location changes stop (SYSTEM$PIPE_STATUS).
          for (const pipe of this.pipes.values())
            if (stageOf(pipe.definition) === name) pipe.stopped = 'STOPPED_STAGE_ALTERED';
        if (p.URL) s.url = p.URL;
        if (p.STORAGE_INTEGRATION) s.integration = p.STORAGE_INTEGRATION;
        if (p['FILE_FORMAT.FORMAT_NAME']) s.fileFormat = p['FILE_FORMAT.FORMAT_NAME'];
        if (p.COMMENT !== undefined) s.comment = p.COMMENT;
        break;
      }
      case 'TABLE':
        this.tables.get(name)!.comment = p.COMMENT ?? '';
        break;
      case 'PIPE': {
        const pipe = this.pipes.get(name)!;
        if (p.PIPE_EXECUTION_PAUSED) pipe.paused = p.PIPE_EXECUTION_PAUSED === 'TRUE';
        // Files submitted while paused wait for the resume (ALTER PIPE docs), then load.
        if (p.PIPE_EXECUTION_PAUSED === 'FALSE' && !pipe.stopped) this.drainQueue(pipe);
        if (p.ERROR_INTEGRATION && !this.notificationIntegrations.has(p.ERROR_INTEGRATION))
          throw notExists(p.ERROR_INTEGRATION);
        if (p.ERROR_INTEGRATION) pipe.errorIntegration = p.ERROR_INTEGRATION;
        if (p.COMMENT !== undefined) pipe.comment = p.COMMENT;
        break;
      }
      default:
        throw unsupported(sql);
    }
    return status('Statement executed successfully.');
  }

  private drop(r: Reader): Rows {
    const kind = kindWords(r);
    let ifExists = false;
    if (r.peekWord('IF')) {
      r.word();
      r.expectWord('EXISTS');
      ifExists = true;
    }
    const name = r.name();
    const map = this.mapOf(kind);
    if (!map.delete(name) && !ifExists) throw notExists(name);
    return status(`${name} successfully dropped.`);
  }

  private show(r: Reader): Rows {
    const what = kindWords(r);
    // `SHOW <kind>S [LIKE '<pattern>'] [IN …]`: no LIKE lists every object.
    const pattern = r.peekWord('LIKE') ? (r.word(), r.str()) : '%';
    let scope = '';
    if (r.peekWord('IN')) {
      r.word();
      r.word(); // SCHEMA | DATABASE
      scope = r.name();
      const exists = scope.includes('.') ? this.schemas.has(scope) : this.databases.has(scope);
      if (!exists) throw notExists(scope);
    }
    const like = new RegExp(
      `^${pattern
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        .replace(/_/g, '.')
        .replace(/%/g, '.*')}$`,
      'i',
    );
    const rows: Rows = [];
    const map = this.mapOf(what);
    for (const [key, value] of map as Map<string, unknown>) {
      const parts = key.split('.');
      const name = parts[parts.length - 1];
      if (scope && parts.slice(0, -1).join('.') !== scope) continue;
      if (!like.test(name)) continue;
      rows.push(this.showRow(what, key, name, value));
    }
    return rows;
  }

  private showRow(plural: string, key: string, name: string, value: unknown): Record<string, string | null> {
    const kind = plural.replace(/S$/, '');
    const parts = key.split('.');
    const base = {
      created_on: '2026-01-01 00:00:00.000 +0000',
      name,
      database_name: parts[0] ?? null,
      schema_name: parts[1] ?? null,
      owner: 'PROVISIONER',
    };
    switch (kind) {
      case 'STAGE': {
        const s = value as { url: string; integration: string; comment: string };
        return { ...base, url: s.url, storage_integration: s.integration, comment: s.comment, type: 'EXTERNAL' };
      }
      case 'PIPE': {
        const p = value as Pipe;
        return {
          ...base,
          definition: p.definition,
          notification_channel: p.notificationChannel,
          comment: p.comment,
          error_integration: p.errorIntegration,
        };
      }
      case 'FILE FORMAT': {
        const f = value as { type: string; compression: string; stripOuterArray: boolean; comment: string };
        return {
          ...base,
          type: f.type,
          comment: f.comment,
          format_options: JSON.stringify({
            TYPE: f.type,
            COMPRESSION: f.compression,
            STRIP_OUTER_ARRAY: f.stripOuterArray,
          }),
        };
      }
      case 'NOTIFICATION INTEGRATION':
        return {
          name,
          type: `QUEUE - ${(value as Record<string, string>).NOTIFICATION_PROVIDER}`,
          category: 'NOTIFICATION',
          enabled: (value as Record<string, string>).ENABLED,
          comment: (value as Record<string, string>).COMMENT,
        };
      case 'STORAGE INTEGRATION':
        return {
          name,
          type: 'EXTERNAL_STAGE',
          category: 'STORAGE',
          enabled: (value as Record<string, string>).ENABLED,
          comment: (value as Record<string, string>).COMMENT,
        };
      default:
        return { ...base, comment: (value as { comment: string }).comment, kind: 'TABLE' };
    }
  }

  private describe(r: Reader): Rows {
    const kind = kindWords(r);
    const name = r.name();
    const obj = this.mapOf(kind).get(name);
    if (!obj) throw notExists(name);
    if (kind === 'STORAGE INTEGRATION' || kind === 'NOTIFICATION INTEGRATION')
      return Object.entries(obj as Record<string, string>).map(([property, value]) => ({
        property,
        property_type: 'String',
        property_value: value,
        property_default: '',
      }));
    if (kind === 'STAGE') {
      const s = obj as { url: string; fileFormat: string };
      return [
        {
          parent_property: 'STAGE_LOCATION',
          property: 'URL',
          property_type: 'String',
          property_value: `["${s.url}"]`,
          property_default: '',
        },
        {
          parent_property: 'STAGE_FILE_FORMAT',
          property: 'FORMAT_NAME',
          property_type: 'String',
          property_value: s.fileFormat,
          property_default: '',
        },
      ];
    }
    if (kind === 'TABLE')
      return (obj as { columns: { name: string; type: string }[] }).columns.map((c) => ({
        name: c.name,
        type: describedType(c.type),
        kind: 'COLUMN',
        'null?': 'Y',
      }));
    throw new SqlFailure(`unsupported DESC ${kind}`, '001003', '42000');
  }

  private select(r: Reader): Rows {
    const fn = r.word();
    if (fn !== 'SYSTEM$PIPE_STATUS') throw new SqlFailure(`unsupported SELECT ${fn}`, '001003', '42000');
    r.expect('(');
    const name = r.str().toUpperCase();
    const pipe = this.pipes.get(name);
    if (!pipe) throw new SqlFailure(`Pipe '${name}' does not exist or not authorized.`, '002003', '02000');
    const state = pipe.stopped ?? (pipe.paused ? 'PAUSED' : 'RUNNING');
    const oldest = pipe.pending.map((f) => f.queuedAt.getTime()).sort((a, b) => a - b)[0];
    const result = JSON.stringify({
      executionState: state,
      pendingFileCount: pipe.pending.length,
      ...(oldest !== undefined ? { oldestFileTimestamp: new Date(oldest).toISOString() } : {}),
    });
    // Strict like Snowflake: a paused pipe keeps its pending files however often it is asked.
    return [{ STATUS: result }];
  }

  /**
   * ALTER PIPE … REFRESH [PREFIX] [MODIFIED_AFTER]: queues the staged files below the pipe's path
   * (+ prefix) modified after MODIFIED_AFTER and in the last 7 days, and not in the load history,
   * one `File`/`Status` row each. A running pipe loads them; a paused one keeps them pending.
   */
  private refresh(name: string, prefix: string, modifiedAfter?: string): Rows {
    const pipe = this.pipes.get(name)!;
    if (pipe.stopped)
      throw new SqlFailure(`Pipe ${name} is ${pipe.stopped} and cannot be refreshed.`, '091082', '55000');
    const path = pathOf(pipe.definition);
    const since = Math.max(
      this.now().getTime() - 7 * 24 * 3_600_000,
      modifiedAfter === undefined ? -Infinity : parseTimestamp(modifiedAfter),
    );
    const rows: Rows = [];
    for (const f of this.stagedFiles) {
      if (!f.path.startsWith(path + prefix) || f.lastModified.getTime() <= since || this.loadedFiles.has(f.path))
        continue;
      if (pipe.pending.some((q) => q.path === f.path)) continue;
      pipe.pending.push({ path: f.path, queuedAt: this.now() });
      rows.push({ File: f.path, Status: 'SENT' });
    }
    if (!pipe.paused) this.drainQueue(pipe);
    return rows;
  }

  /**
   * An S3 event for a new stage object: it is staged (last modified `lastModified`) and every pipe
   * on its path queues it at `queuedAt`; a running pipe loads it at once, a paused one keeps it.
   */
  notify(path: string, lastModified: Date, queuedAt: Date = lastModified): void {
    this.stagedFiles.push({ path, lastModified });
    for (const pipe of this.pipes.values()) {
      if (pipe.stopped || !path.startsWith(pathOf(pipe.definition))) continue;
      pipe.pending.push({ path, queuedAt });
      if (!pipe.paused) this.drainQueue(pipe);
    }
  }

  /** Loads a pipe's pending files, skipping what the load history already holds. */
  private drainQueue(pipe: Pipe): void {
    for (const f of pipe.pending.splice(0)) {
      if (this.loadedFiles.has(f.path)) continue;
      this.loadedFiles.add(f.path);
      this.loads.push(f.path);
    }
  }

  /** Like Snowflake, a stage URL must lie within one of its integration's allowed locations. */
  private checkAllowed(integration: string, url: string): void {
    const allowed = (this.integrations.get(integration)!.STORAGE_ALLOWED_LOCATIONS ?? '').split(',').filter(Boolean);
    if (!allowed.some((l) => url.startsWith(l)))
      throw new SqlFailure(
        `SQL execution error: Location '${url}' is not allowed by integration '${integration}'. Please use DESC INTEGRATION to check out allowed and blocked locations.`,
        '003120',
        '22023',
      );
  }

  private requireSchema(name: string): void {
    const schema = name.split('.').slice(0, 2).join('.');
    if (!this.schemas.has(schema)) throw notExists(schema);
  }

  mapOf(kind: string): Map<string, unknown> {
    const m: Record<string, Map<string, unknown>> = {
      DATABASE: this.databases,
      DATABASES: this.databases,
      SCHEMA: this.schemas,
      SCHEMAS: this.schemas,
      'STORAGE INTEGRATION': this.integrations,
      'STORAGE INTEGRATIONS': this.integrations,
      'NOTIFICATION INTEGRATION': this.notificationIntegrations,
      'NOTIFICATION INTEGRATIONS': this.notificationIntegrations,
      'FILE FORMAT': this.fileFormats,
      'FILE FORMATS': this.fileFormats,
      STAGE: this.stages,
      STAGES: this.stages,
      TABLE: this.tables,
      TABLES: this.tables,
      PIPE: this.pipes,
      PIPES: this.pipes,
    };
    const map = m[kind];
    if (!map) throw new SqlFailure(`unsupported object kind ${kind}`, '001003', '42000');
    return map;
  }
}

function describedType(type: string): string {
  const t = type.toUpperCase();
  if (t === 'VARCHAR') return 'VARCHAR(16777216)';
  if (t === 'TIMESTAMP_TZ') return 'TIMESTAMP_TZ(9)';
  return t;
}

const status = (s: string): Rows => [{ status: s }];

/** The stage (canonical name) a pipe's COPY reads. */
const stageOf = (definition: string) => (/@("[^"]+"\."[^"]+"\."[^"]+")/.exec(definition)?.[1] ?? '').replace(/"/g, '');
/** The path below the stage a pipe's COPY reads. */
const pathOf = (definition: string) => /@"[^"]+"\."[^"]+"\."[^"]+"\/([^)\s]*)/.exec(definition)?.[1] ?? '';

/** An ISO-8601 timestamp as REFRESH MODIFIED_AFTER takes it; anything else fails like a bad literal. */
function parseTimestamp(text: string): number {
  const t = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(t)) throw new SqlFailure(`Timestamp '${text}' is not recognized`, '100035', '22007');
  return t;
}

/** Reader.kindWords plus `NOTIFICATION INTEGRATION(S)`. */
function kindWords(r: Reader): string {
  const kind = r.kindWords();
  if (kind === 'NOTIFICATION' && (r.peekWord('INTEGRATION') || r.peekWord('INTEGRATIONS')))
    return `${kind} ${r.word()}`;
  return kind;
}
const notExists = (name: string) =>
  new SqlFailure(`SQL compilation error:\nObject '${name}' does not exist or not authorized.`, '002003', '02000');
