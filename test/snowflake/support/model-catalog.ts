/**
 * The data-model objects of the test server's in-memory account: streams, tasks (with Snowflake's
 * task-graph rules), views, roles and grants, and the model's multi-line tables (NOT NULL, PRIMARY
 * KEY, column comments; DESC TABLE reports `primary key` and `comment`). The Catalog hands every
 * statement here first; `undefined` means "not mine". Strict: an unknown shape of these kinds fails.
 */
import { SqlFailure } from './sql-reader';
import type { Rows } from './sql-reader';

/** The parts of the Catalog this module shares (tables feed SHOW TABLES and the pipes). */
export interface SharedCatalog {
  schemas: Map<string, unknown>;
  tables: Map<string, { columns: { name: string; type: string }[]; comment: string }>;
}

export interface StreamEntry {
  table: string;
  mode: string;
  stale: boolean;
  staleAfter: string;
  comment: string;
  showInitialRows: boolean;
}
export interface TaskEntry {
  state: 'started' | 'suspended';
  /** Parameters as set (CREATE TASK clauses, then ALTER TASK SET / UNSET): name → SQL value. */
  params: Record<string, string>;
  definition: string;
  condition: string | null;
  comment: string;
  predecessors: string[];
  warehouse: string | null;
  schedule: string | null;
  errorIntegration: string | null;
  statement: string;
}
interface ModelColumn {
  name: string;
  type: string;
  notNull: boolean;
  comment: string;
}

const NAME = /("[^"]+"(?:\."[^"]+")*)/;
const canonical = (quoted: string) => quoted.replace(/"/g, '');
const STRING = `'((?:[^'\\\\]|\\\\.)*)'`;
const unescape = (s: string) => s.replace(/\\(.)/g, '$1');
const commentOf = (sql: string) => {
  const m = new RegExp(`COMMENT = ${STRING}`).exec(sql);
  return m ? unescape(m[1]) : '';
};
const notExists = (name: string) =>
  new SqlFailure(`SQL compilation error:\nObject '${name}' does not exist or not authorized.`, '002003', '02000');
const exists = (name: string) =>
  new SqlFailure(`SQL compilation error:\nObject '${name}' already exists.`, '002002', '42710');
const ok = (s = 'Statement executed successfully.'): Rows => [{ status: s }];
/** Task parameters ALTER TASK SET / UNSET accept here (those the provisioner uses). */
const TASK_PARAMETERS = [
  'WAREHOUSE',
  'USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE',
  'TARGET_COMPLETION_INTERVAL',
  'SCHEDULE',
  'SUSPEND_TASK_AFTER_NUM_FAILURES',
  'TIMEZONE',
  'ERROR_INTEGRATION',
  'OVERLAP_POLICY',
];
const DESCRIBED: Record<string, string> = {
  VARCHAR: 'VARCHAR(16777216)',
  TIMESTAMP_NTZ: 'TIMESTAMP_NTZ(9)',
  TIMESTAMP_TZ: 'TIMESTAMP_TZ(9)',
  TIMESTAMP_LTZ: 'TIMESTAMP_LTZ(9)',
  TIME: 'TIME(9)',
  BINARY: 'BINARY(8388608)',
};

export class ModelObjects {
  streams = new Map<string, StreamEntry>();
  tasks = new Map<string, TaskEntry>();
  views = new Map<string, { text: string; comment: string }>();
  roles = new Map<string, { comment: string }>();
  /** `PRIVILEGE|KIND|NAME|ROLE`. */
  grants = new Set<string>();
  /** `PRIVILEGE|KIND|SCHEMA|ROLE`. */
  futureGrants = new Set<string>();
  /** `ROLE|GRANTEE ROLE`. */
  roleGrants = new Set<string>();
  private columns = new Map<string, { columns: ModelColumn[]; primaryKey: string[] }>();

  constructor(private readonly catalog: SharedCatalog) {}

  execute(sql: string): Rows | undefined {
    const s = sql.trim();
    let m: RegExpExecArray | null;
    if ((m = /^CREATE (OR REPLACE )?STREAM (IF NOT EXISTS )?/.exec(s))) return this.createStream(s, !!m[1]);
    if ((m = /^CREATE (OR ALTER )?TASK /.exec(s))) return this.createTask(s, !!m[1]);
    if ((m = /^CREATE (OR REPLACE )?VIEW /.exec(s))) return this.createView(s, !!m[1]);
    if (/^CREATE TABLE "[^\n]*\(\n/.test(s)) return this.createTable(s);
    if (/^CREATE ROLE /.test(s)) return this.createRole(s);
    if (/^GRANT /.test(s)) return this.grant(s);
    if (/^EXECUTE IMMEDIATE /.test(s)) return this.block(s);
    if ((m = /^ALTER (STREAM|TASK|VIEW|ROLE) (IF EXISTS )?/.exec(s))) return this.alter(m[1], s, !!m[2]);
    if (/^ALTER TABLE \S+ (ADD COLUMN IF NOT EXISTS|ALTER COLUMN) /.test(s)) return this.alterTable(s);
    if ((m = /^DROP (STREAM|TASK|VIEW|ROLE) IF EXISTS /.exec(s))) return this.drop(m[1], s);
    if (/^DESC(RIBE)? TABLE /.test(s)) return this.describe(s);
    if (/^SHOW (STREAMS|TASKS|VIEWS|ROLES|GRANTS|FUTURE GRANTS) /.test(s)) return this.show(s);
    return undefined;
  }

  private name(sql: string, after: RegExp): string {
    const m = new RegExp(`${after.source}${NAME.source}`).exec(sql);
    if (!m) throw new SqlFailure(`test server: unsupported statement: ${sql}`, '001003', '42000');
    return canonical(m[1]);
  }

  private requireSchema(name: string) {
    const schema = name.split('.').slice(0, 2).join('.');
    if (!this.catalog.schemas.has(schema)) throw notExists(schema);
  }

  private createStream(sql: string, replace: boolean): Rows {
    const name = this.name(sql, /STREAM (?:IF NOT EXISTS )?/);
    this.requireSchema(name);
    if (this.streams.has(name) && !replace) {
      if (/IF NOT EXISTS/.test(sql)) return ok();
      throw exists(name);
    }
    const table = this.name(sql, /ON TABLE /);
    if (!this.catalog.tables.has(table)) throw notExists(table);
    this.streams.set(name, {
      table,
      mode: /APPEND_ONLY = TRUE/.test(sql) ? 'APPEND_ONLY' : 'DEFAULT',
      stale: false,
      staleAfter: '2026-12-05 06:00:00.000 +0000',
      comment: commentOf(sql),
      showInitialRows: /SHOW_INITIAL_ROWS = TRUE/.test(sql),
    });
    return ok(`Stream ${name} successfully created.`);
  }

  /** The root of a task's graph (itself for a root task). */
  rootOf(name: string): string {
    let current = name;
    for (let i = 0; i < 100; i++) {
      const t = this.tasks.get(current);
      if (!t?.predecessors.length) return current;
      current = t.predecessors[0];
    }
    return current;
  }

  private requireRootSuspended(task: string, what: string) {
    const root = this.rootOf(task);
    if (this.tasks.get(root)?.state === 'started')
      throw new SqlFailure(
        `Unable to update graph with root task ${root} since that root task is not suspended. (${what} ${task})`,
        '091089',
        '0A000',
      );
  }

  /**
   * ALTER TASK … SET / UNSET / MODIFY AS / MODIFY WHEN / REMOVE WHEN / ADD AFTER / REMOVE AFTER:
   * Snowflake requires the graph's root suspended (091089) and the task itself suspended (BCR 2026_06).
   */
  private alterTask(name: string, sql: string): Rows {
    const t = this.tasks.get(name)!;
    const rest = sql.replace(/^ALTER TASK (?:IF EXISTS )?"[^"]+"\."[^"]+"\."[^"]+" /, '').trim();
    this.requireRootSuspended(name, 'alter');
    if (t.state === 'started')
      throw new SqlFailure(`Unable to modify task ${name}: it must be suspended first.`, '091093', '0A000');
    let m: RegExpExecArray | null;
    if ((m = /^MODIFY AS\n([\s\S]+)$/.exec(rest))) t.definition = m[1];
    else if ((m = /^MODIFY WHEN (.+)$/.exec(rest))) t.condition = m[1];
    else if (rest === 'REMOVE WHEN') t.condition = null;
    else if ((m = /^(ADD|REMOVE) AFTER (.+)$/.exec(rest))) {
      const names = m[2].split(', ').map(canonical);
      for (const p of names) if (m[1] === 'ADD' && !this.tasks.has(p)) throw notExists(p);
      t.predecessors =
        m[1] === 'ADD' ? [...t.predecessors, ...names] : t.predecessors.filter((p) => !names.includes(p));
    } else if ((m = /^UNSET (.+)$/.exec(rest))) {
      for (const prop of m[1].split(', ')) {
        if (!TASK_PARAMETERS.includes(prop))
          throw new SqlFailure(`invalid property '${prop}' for 'TASK'`, '001003', '42000');
        delete t.params[prop];
        if (prop === 'WAREHOUSE') t.warehouse = null;
        if (prop === 'SCHEDULE') t.schedule = null;
        if (prop === 'ERROR_INTEGRATION') t.errorIntegration = null;
      }
    } else if ((m = /^SET (.+)$/s.exec(rest))) {
      const clauses = m[1].match(new RegExp(`[A-Z_]+ = (?:${STRING}|"[^"]+"|[A-Z0-9_]+)`, 'g')) ?? [];
      for (const clause of clauses) {
        const [prop, value] = [clause.slice(0, clause.indexOf(' = ')), clause.slice(clause.indexOf(' = ') + 3)];
        if (prop === 'COMMENT') t.comment = unescape(value.slice(1, -1));
        else if (!TASK_PARAMETERS.includes(prop))
          throw new SqlFailure(`invalid property '${prop}' for 'TASK'`, '001003', '42000');
        else t.params[prop] = value;
        if (prop === 'WAREHOUSE') t.warehouse = value.replace(/"/g, '');
        if (prop === 'SCHEDULE') t.schedule = value.slice(1, -1);
        if (prop === 'ERROR_INTEGRATION') t.errorIntegration = value.replace(/"/g, '');
      }
    } else throw new SqlFailure(`test server: unsupported statement: ${sql}`, '001003', '42000');
    return ok();
  }

  private createTask(sql: string, orAlter: boolean): Rows {
    const name = this.name(sql, /TASK /);
    this.requireSchema(name);
    const old = this.tasks.get(name);
    if (old && !orAlter) throw exists(name);
    const split = sql.indexOf('\nAS\n');
    if (split < 0) throw new SqlFailure(`test server: task without AS: ${sql}`, '001003', '42000');
    const header = sql.slice(0, split);
    const after = /\n {2}AFTER (.+)/.exec(header);
    const predecessors = after ? after[1].split(', ').map(canonical) : [];
    for (const p of predecessors) if (!this.tasks.has(p)) throw notExists(p);
    // Snowflake: a graph's root must be suspended before a task of it is created, replaced or altered.
    if (old) this.requireRootSuspended(name, 'modify');
    if (predecessors.length) this.requireRootSuspended(predecessors[0], 'add a child to');
    if (old?.state === 'started' && !predecessors.length)
      throw new SqlFailure(`Unable to modify task ${name}: it must be suspended first.`, '091093', '0A000');
    const when = /\n {2}WHEN (.+)/.exec(header);
    const params: Record<string, string> = {};
    for (const m of header.matchAll(/\n {2}([A-Z_]+) = (.+)/g)) if (TASK_PARAMETERS.includes(m[1])) params[m[1]] = m[2];
    this.tasks.set(name, {
      params,
      state: old?.state ?? 'suspended',
      definition: sql.slice(split + 4),
      condition: when ? when[1] : null,
      comment: commentOf(header),
      predecessors,
      warehouse: /WAREHOUSE = "([^"]+)"/.exec(header)?.[1] ?? null,
      schedule: new RegExp(`SCHEDULE = ${STRING}`).exec(header)?.[1] ?? null,
      errorIntegration: /ERROR_INTEGRATION = "([^"]+)"/.exec(header)?.[1] ?? null,
      statement: sql,
    });
    return ok(`Task ${name} successfully created.`);
  }

  private createView(sql: string, replace: boolean): Rows {
    const name = this.name(sql, /VIEW /);
    this.requireSchema(name);
    if (this.views.has(name) && !replace) throw exists(name);
    const body = sql.slice(sql.indexOf(' AS\n') + 4);
    for (const ref of body.match(/"[^"]+"\."[^"]+"\."[^"]+"/g) ?? []) {
      const n = canonical(ref);
      if (!this.catalog.tables.has(n) && !this.views.has(n)) throw notExists(n);
    }
    if (replace && !/COPY GRANTS/.test(sql))
      for (const g of [...this.grants]) if (g.split('|')[2] === name) this.grants.delete(g);
    this.views.set(name, { text: sql, comment: commentOf(sql.slice(0, sql.indexOf(' AS\n'))) });
    const schema = name.split('.').slice(0, 2).join('.');
    for (const f of this.futureGrants) {
      const [privilege, kind, s, role] = f.split('|');
      if (kind === 'VIEW' && s === schema) this.grants.add(`${privilege}|VIEW|${name}|${role}`);
    }
    return ok(`View ${name} successfully created.`);
  }

  private createTable(sql: string): Rows {
    const name = this.name(sql, /TABLE /);
    this.requireSchema(name);
    if (this.catalog.tables.has(name)) throw exists(name);
    const lines = sql.slice(sql.indexOf('(\n') + 2, sql.lastIndexOf('\n)')).split(',\n');
    const columns: ModelColumn[] = [];
    let primaryKey: string[] = [];
    for (const line of lines) {
      const pk = /^\s*PRIMARY KEY \((.+)\)$/.exec(line);
      if (pk) {
        primaryKey = pk[1].split(', ').map(canonical);
        continue;
      }
      columns.push(this.column(line, sql));
    }
    this.columns.set(name, { columns, primaryKey });
    this.catalog.tables.set(name, {
      columns: columns.map((c) => ({ name: c.name, type: c.type })),
      comment: commentOf(sql.slice(sql.lastIndexOf('\n)'))),
    });
    return ok(`Table ${name} successfully created.`);
  }

  private column(line: string, sql: string): ModelColumn {
    const m = new RegExp(
      `^\\s*"([^"]+)" ([A-Z_]+(?:\\(\\d+(?:,\\d+)?\\))?)( NOT NULL)?(?: COMMENT ${STRING})?\\s*$`,
    ).exec(line);
    if (!m) throw new SqlFailure(`test server: unsupported column "${line}" in ${sql}`, '001003', '42000');
    return { name: m[1], type: m[2], notNull: !!m[3], comment: m[4] ? unescape(m[4]) : '' };
  }

  private alterTable(sql: string): Rows {
    const name = this.name(sql, /TABLE /);
    const table = this.catalog.tables.get(name);
    if (!table) throw notExists(name);
    const extra = this.columns.get(name) ?? {
      columns: table.columns.map((c) => ({ ...c, notNull: false, comment: '' })),
      primaryKey: [],
    };
    this.columns.set(name, extra);
    const add = /ADD COLUMN IF NOT EXISTS (.+)$/s.exec(sql);
    if (add) {
      const c = this.column(add[1], sql);
      if (!extra.columns.some((e) => e.name === c.name)) {
        extra.columns.push(c);
        table.columns.push({ name: c.name, type: c.type });
      }
      return ok();
    }
    const alter = /ALTER COLUMN "([^"]+)" (COMMENT|SET DATA TYPE) (.+)$/.exec(sql);
    const c = alter && extra.columns.find((e) => e.name === alter[1]);
    if (!alter || !c) throw new SqlFailure(`test server: unsupported statement: ${sql}`, '001003', '42000');
    if (alter[2] === 'COMMENT') c.comment = unescape(alter[3].slice(1, -1));
    else {
      c.type = alter[3];
      table.columns.find((t) => t.name === c.name)!.type = alter[3];
    }
    return ok();
  }

  private describe(sql: string): Rows | undefined {
    const name = this.name(sql, /TABLE /);
    const extra = this.columns.get(name);
    if (!extra || !this.catalog.tables.has(name)) return undefined;
    return extra.columns.map((c) => ({
      name: c.name,
      type: DESCRIBED[c.type] ?? c.type,
      kind: 'COLUMN',
      'null?': c.notNull ? 'N' : 'Y',
      'primary key': extra.primaryKey.includes(c.name) ? 'Y' : 'N',
      comment: c.comment || null,
    }));
  }

  private createRole(sql: string): Rows {
    const name = this.name(sql, /ROLE (?:IF NOT EXISTS )?/);
    if (this.roles.has(name)) {
      if (/IF NOT EXISTS/.test(sql)) return ok();
      throw exists(name);
    }
    this.roles.set(name, { comment: commentOf(sql) });
    return ok(`Role ${name} successfully created.`);
  }

  private grant(sql: string): Rows {
    let m: RegExpExecArray | null;
    const role = (text: string) => {
      const r = canonical(text);
      if (!this.roles.has(r) && r !== 'SYSADMIN') throw notExists(r);
      return r;
    };
    if ((m = /^GRANT ROLE ("[^"]+") TO ROLE ("[^"]+")$/.exec(sql))) {
      this.roleGrants.add(`${role(m[1])}|${role(m[2])}`);
      return ok();
    }
    if ((m = /^GRANT USAGE ON (DATABASE|SCHEMA|WAREHOUSE) ("[^"]+"(?:\."[^"]+")?) TO ROLE ("[^"]+")$/.exec(sql))) {
      const target = canonical(m[2]);
      if (m[1] === 'SCHEMA' && !this.catalog.schemas.has(target)) throw notExists(target);
      this.grants.add(`USAGE|${m[1]}|${target}|${role(m[3])}`);
      return ok();
    }
    if ((m = /^GRANT SELECT ON (ALL|FUTURE) VIEWS IN SCHEMA ("[^"]+"\."[^"]+") TO ROLE ("[^"]+")$/.exec(sql))) {
      const schema = canonical(m[2]);
      if (!this.catalog.schemas.has(schema)) throw notExists(schema);
      const r = role(m[3]);
      if (m[1] === 'FUTURE') this.futureGrants.add(`SELECT|VIEW|${schema}|${r}`);
      else for (const v of this.views.keys()) if (v.startsWith(`${schema}.`)) this.grants.add(`SELECT|VIEW|${v}|${r}`);
      return ok();
    }
    throw new SqlFailure(`test server: unsupported statement: ${sql}`, '001003', '42000');
  }

  /** The provisioner's task-drop blocks (see snowflake/kinds/task.ts drop). */
  private block(sql: string): Rows {
    const drop = /DROP TASK IF EXISTS ("[^"]+"\."[^"]+"\."[^"]+")/.exec(sql);
    if (!drop) throw new SqlFailure(`test server: unsupported block: ${sql}`, '001003', '42000');
    const name = canonical(drop[1]);
    const task = this.tasks.get(name);
    if (!task) return ok();
    const root = this.tasks.get(this.rootOf(name));
    const wasStarted = root?.state === 'started';
    if (root) root.state = 'suspended';
    this.tasks.delete(name);
    for (const t of this.tasks.values()) if (t.predecessors.includes(name)) t.predecessors = [];
    if (root && root !== task && wasStarted) root.state = 'started';
    return ok('Anonymous block executed.');
  }

  private alter(kind: string, sql: string, ifExists: boolean): Rows {
    const name = this.name(sql, new RegExp(`${kind} (?:IF EXISTS )?`));
    const map = this.mapOf(kind);
    if (!map.has(name)) {
      if (ifExists) return ok();
      throw notExists(name);
    }
    if (kind === 'TASK') {
      const t = this.tasks.get(name)!;
      if (/ SUSPEND$/.test(sql)) t.state = 'suspended';
      else if (/ RESUME$/.test(sql)) {
        if (t.predecessors.length && !t.predecessors.every((p) => this.tasks.has(p)))
          throw notExists(t.predecessors[0]);
        if (t.predecessors.length) this.requireRootSuspended(name, 'resume');
        t.state = 'started';
      } else return this.alterTask(name, sql);
      return ok();
    }
    const comment = new RegExp(` SET COMMENT = ${STRING}$`).exec(sql);
    if (!comment) throw new SqlFailure(`test server: unsupported statement: ${sql}`, '001003', '42000');
    (map.get(name) as { comment: string }).comment = unescape(comment[1]);
    return ok();
  }

  private drop(kind: string, sql: string): Rows {
    const name = this.name(sql, new RegExp(`${kind} IF EXISTS `));
    if (kind === 'TASK' && this.tasks.has(name)) this.requireRootSuspended(name, 'drop');
    this.mapOf(kind).delete(name);
    if (kind === 'ROLE')
      for (const set of [this.grants, this.futureGrants, this.roleGrants])
        for (const g of [...set]) if (g.split('|').includes(name)) set.delete(g);
    return ok(`${name} successfully dropped.`);
  }

  private mapOf(kind: string): Map<string, unknown> {
    return { STREAM: this.streams, TASK: this.tasks, VIEW: this.views, ROLE: this.roles }[kind] as Map<string, unknown>;
  }

  private show(sql: string): Rows {
    let m: RegExpExecArray | null;
    if ((m = /^SHOW GRANTS TO ROLE ("[^"]+")$/.exec(sql))) {
      const role = canonical(m[1]);
      if (!this.roles.has(role)) throw notExists(role);
      return [...this.grants]
        .map((g) => g.split('|'))
        .filter((g) => g[3] === role)
        .map(([privilege, kind, name, grantee]) => ({ privilege, granted_on: kind, name, grantee_name: grantee }));
    }
    if ((m = /^SHOW GRANTS OF ROLE ("[^"]+")$/.exec(sql))) {
      const role = canonical(m[1]);
      if (!this.roles.has(role)) throw notExists(role);
      return [...this.roleGrants]
        .map((g) => g.split('|'))
        .filter((g) => g[0] === role)
        .map(([r, grantee]) => ({ role: r, granted_to: 'ROLE', grantee_name: grantee }));
    }
    if ((m = /^SHOW FUTURE GRANTS IN SCHEMA ("[^"]+"\."[^"]+")$/.exec(sql))) {
      const schema = canonical(m[1]);
      if (!this.catalog.schemas.has(schema)) throw notExists(schema);
      return [...this.futureGrants]
        .map((g) => g.split('|'))
        .filter((g) => g[2] === schema)
        .map(([privilege, kind, s, grantee]) => ({
          privilege,
          grant_on: kind,
          name: `${s}.<${kind}>`,
          grant_to: 'ROLE',
          grantee_name: grantee,
        }));
    }
    if ((m = new RegExp(`^SHOW ROLES LIKE ${STRING}$`).exec(sql))) {
      const like = m[1].toUpperCase();
      return [...this.roles].filter(([n]) => n === like).map(([name, r]) => ({ name, comment: r.comment }));
    }
    m = new RegExp(`^SHOW (STREAMS|TASKS|VIEWS)(?: LIKE ${STRING})? IN SCHEMA ("[^"]+"\\."[^"]+")$`).exec(sql);
    if (!m) throw new SqlFailure(`test server: unsupported statement: ${sql}`, '001003', '42000');
    const [, what, like, scope] = m;
    const schema = canonical(scope);
    if (!this.catalog.schemas.has(schema)) throw notExists(schema);
    const pattern = like
      ? new RegExp(
          `^${like
            .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
            .replace(/_/g, '.')
            .replace(/%/g, '.*')}$`,
          'i',
        )
      : /.*/;
    const map = this.mapOf(what.slice(0, -1));
    const rows: Rows = [];
    for (const [key, value] of map) {
      const name = key.split('.')[2];
      if (key.split('.').slice(0, 2).join('.') !== schema || !pattern.test(name)) continue;
      const base = {
        created_on: '2026-01-01 00:00:00.000 +0000',
        name,
        database_name: key.split('.')[0],
        schema_name: key.split('.')[1],
      };
      if (what === 'STREAMS') {
        const s = value as StreamEntry;
        rows.push({
          ...base,
          table_name: s.table,
          mode: s.mode,
          stale: String(s.stale),
          stale_after: s.staleAfter,
          comment: s.comment,
          type: 'DELTA',
        });
      } else if (what === 'TASKS') {
        const t = value as TaskEntry;
        rows.push({
          ...base,
          state: t.state,
          definition: t.definition,
          condition: t.condition,
          comment: t.comment,
          warehouse: t.warehouse,
          schedule: t.schedule,
          predecessors: JSON.stringify(
            t.predecessors.map((p) =>
              p
                .split('.')
                .map((x) => `"${x}"`)
                .join('.'),
            ),
          ),
          error_integration: t.errorIntegration,
        });
      } else {
        const v = value as { text: string; comment: string };
        rows.push({ ...base, text: v.text, comment: v.comment, is_secure: 'false' });
      }
    }
    return rows;
  }
}
