/**
 * Users and object grants of the test server's in-memory account, as strict as Snowflake where the
 * provisioner's service identities depend on it: a GRANT / REVOKE names an existing role and an
 * existing object, and only privileges valid for that object type (Snowflake's GRANT <privileges>
 * reference, written here independently of the provisioner's list); users (CREATE / ALTER / DESC /
 * SHOW / DROP USER, GRANT / REVOKE ROLE … TO / FROM USER) hold up to two RSA public keys, which the
 * server's JWT login accepts. Warehouses are not modelled: any warehouse name is accepted.
 */
import { createHash, createPublicKey } from 'crypto';
import type { KeyObject } from 'crypto';
import { SqlFailure } from './sql-reader';
import type { Rows } from './sql-reader';

export interface AccessShared {
  databases: Map<string, unknown>;
  schemas: Map<string, unknown>;
  tables: Map<string, unknown>;
  pipes: Map<string, unknown>;
  stages: Map<string, unknown>;
  fileFormats: Map<string, unknown>;
  model: {
    roles: Map<string, unknown>;
    grants: Set<string>;
    views: Map<string, unknown>;
    streams: Map<string, unknown>;
    tasks: Map<string, unknown>;
  };
}

export interface UserEntry {
  type: string;
  defaultRole: string | null;
  defaultWarehouse: string | null;
  comment: string;
  keys: [KeyObject | null, KeyObject | null];
  roles: Set<string>;
}

/** Valid privileges per object type (GRANT <privileges> … TO ROLE), beyond OWNERSHIP. */
const VALID: Record<string, readonly string[]> = {
  WAREHOUSE: ['USAGE', 'OPERATE', 'MONITOR', 'MODIFY', 'APPLYBUDGET'],
  DATABASE: ['USAGE', 'MONITOR', 'MODIFY', 'CREATE SCHEMA', 'APPLYBUDGET'],
  SCHEMA: ['USAGE', 'MONITOR', 'MODIFY', 'CREATE TABLE', 'CREATE VIEW', 'CREATE PIPE', 'CREATE TASK', 'CREATE STREAM'],
  TABLE: ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'EVOLVE SCHEMA', 'APPLYBUDGET'],
  VIEW: ['SELECT', 'REFERENCES'],
  STREAM: ['SELECT'],
  // External stages (the only kind here): READ / WRITE belong to internal stages.
  STAGE: ['USAGE'],
  FILE_FORMAT: ['USAGE'],
  PIPE: ['MONITOR', 'OPERATE', 'APPLYBUDGET'],
  TASK: ['MONITOR', 'OPERATE'],
};

const canonical = (quoted: string) => quoted.replace(/"/g, '');
const STRING = `'((?:[^'\\\\]|\\\\.)*)'`;
const NAME = `("[^"]+"(?:\\."[^"]+"){0,2})`;
const ok = (s = 'Statement executed successfully.'): Rows => [{ status: s }];
const notExists = (name: string) =>
  new SqlFailure(`SQL compilation error:\nObject '${name}' does not exist or not authorized.`, '002003', '02000');
const fingerprint = (key: KeyObject) =>
  `SHA256:${createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('base64')}`;

export class AccessObjects {
  readonly users = new Map<string, UserEntry>();

  constructor(private readonly catalog: AccessShared) {}

  /** Public keys a user may sign in with (both slots). */
  publicKeys(user: string): KeyObject[] {
    const keys: (KeyObject | null)[] = this.users.get(user.toUpperCase())?.keys ?? [];
    return keys.filter((k): k is KeyObject => k !== null);
  }

  execute(sql: string): Rows | undefined {
    const s = sql.trim();
    if (/^(CREATE|ALTER|DESC|DESCRIBE|DROP) USER /.test(s) || /^SHOW USERS /.test(s)) return this.user(s);
    if (/^(GRANT|REVOKE) ROLE "[^"]+" (TO|FROM) USER /.test(s)) return this.roleToUser(s);
    if (/^SHOW GRANTS TO USER /.test(s)) return this.grantsToUser(s);
    const m = new RegExp(
      `^(GRANT|REVOKE) ([A-Z ,]+?) ON (WAREHOUSE|DATABASE|SCHEMA|TABLE|VIEW|STREAM|STAGE|FILE FORMAT|PIPE|TASK) ${NAME} (TO|FROM) ROLE ("[^"]+")$`,
    ).exec(s);
    if (m)
      return this.privileges(
        m[1] as 'GRANT' | 'REVOKE',
        m[2],
        m[3].replace(' ', '_'),
        canonical(m[4]),
        canonical(m[6]),
      );
    return undefined;
  }

  private exists(type: string, name: string): boolean {
    const c = this.catalog;
    const m = c.model;
    const maps: Record<string, Map<string, unknown> | undefined> = {
      DATABASE: c.databases,
      SCHEMA: c.schemas,
      TABLE: c.tables,
      VIEW: m.views,
      STREAM: m.streams,
      STAGE: c.stages,
      FILE_FORMAT: c.fileFormats,
      PIPE: c.pipes,
      TASK: m.tasks,
    };
    return type === 'WAREHOUSE' || maps[type]!.has(name);
  }

  private privileges(verb: 'GRANT' | 'REVOKE', list: string, type: string, name: string, role: string): Rows {
    if (!this.catalog.model.roles.has(role)) throw notExists(role);
    if (!this.exists(type, name)) throw notExists(name);
    const privileges = list.split(',').map((p) => p.trim());
    for (const p of privileges)
      if (!VALID[type]!.includes(p))
        throw new SqlFailure(
          `SQL compilation error:\nInvalid privilege ${p} for ${type.replace('_', ' ')}.`,
          '003011',
          '42501',
        );
    for (const p of privileges) {
      const key = `${p}|${type}|${name}|${role}`;
      if (verb === 'GRANT') this.catalog.model.grants.add(key);
      else this.catalog.model.grants.delete(key);
    }
    return ok();
  }

  private requireUser(quoted: string): [string, UserEntry] {
    const name = canonical(quoted);
    const user = this.users.get(name);
    if (!user) throw notExists(name);
    return [name, user];
  }

  private parseKey(b64: string): KeyObject {
    try {
      return createPublicKey({ key: Buffer.from(b64, 'base64'), format: 'der', type: 'spki' });
    } catch {
      throw new SqlFailure('New public key rejected by current policy. Reason: Invalid public key.', '394304', '28000');
    }
  }

  private user(sql: string): Rows {
    let m: RegExpExecArray | null;
    if ((m = /^CREATE USER ("[^"]+")(.*)$/s.exec(sql))) {
      const name = canonical(m[1]);
      if (this.users.has(name))
        throw new SqlFailure(`SQL compilation error:\nObject '${name}' already exists.`, '002002', '42710');
      const rest = m[2];
      const role = /DEFAULT_ROLE = ("[^"]+")/.exec(rest)?.[1];
      if (role && !this.catalog.model.roles.has(canonical(role))) throw notExists(canonical(role));
      this.users.set(name, {
        type: /TYPE = (\w+)/.exec(rest)?.[1] ?? 'PERSON',
        defaultRole: role ? canonical(role) : null,
        defaultWarehouse: /DEFAULT_WAREHOUSE = "([^"]+)"/.exec(rest)?.[1] ?? null,
        comment: new RegExp(`COMMENT = ${STRING}`).exec(rest)?.[1]?.replace(/\\(.)/g, '$1') ?? '',
        keys: [null, null],
        roles: new Set(),
      });
      return ok(`User ${name} successfully created.`);
    }
    if ((m = /^ALTER USER ("[^"]+") (SET|UNSET) (.+)$/s.exec(sql))) {
      const [, u] = this.requireUser(m[1]);
      const clause = m[3];
      let c: RegExpExecArray | null;
      if (m[2] === 'UNSET') {
        if (clause === 'RSA_PUBLIC_KEY') u.keys[0] = null;
        else if (clause === 'RSA_PUBLIC_KEY_2') u.keys[1] = null;
        else if (clause === 'DEFAULT_WAREHOUSE') u.defaultWarehouse = null;
        else if (clause === 'COMMENT') u.comment = '';
        else throw new SqlFailure(`invalid property '${clause}' for 'USER'`, '001003', '42000');
      } else if ((c = new RegExp(`^(RSA_PUBLIC_KEY|RSA_PUBLIC_KEY_2) = ${STRING}$`).exec(clause)))
        u.keys[c[1] === 'RSA_PUBLIC_KEY' ? 0 : 1] = this.parseKey(c[2]);
      else if ((c = new RegExp(`^COMMENT = ${STRING}$`).exec(clause))) u.comment = c[1].replace(/\\(.)/g, '$1');
      else if ((c = /^DEFAULT_ROLE = ("[^"]+")$/.exec(clause))) u.defaultRole = canonical(c[1]);
      else if ((c = /^DEFAULT_WAREHOUSE = ("[^"]+")$/.exec(clause))) u.defaultWarehouse = canonical(c[1]);
      else if ((c = /^TYPE = (SERVICE|PERSON|LEGACY_SERVICE)$/.exec(clause))) u.type = c[1];
      else throw new SqlFailure(`test server: unsupported statement: ${sql}`, '001003', '42000');
      return ok();
    }
    if ((m = /^DESC(?:RIBE)? USER ("[^"]+")$/.exec(sql))) {
      const [name, u] = this.requireUser(m[1]);
      const fp = (k: KeyObject | null) => (k ? fingerprint(k) : 'null');
      return [
        ['NAME', name],
        ['TYPE', u.type],
        ['DEFAULT_ROLE', u.defaultRole ?? 'null'],
        ['DEFAULT_WAREHOUSE', u.defaultWarehouse ?? 'null'],
        ['COMMENT', u.comment || 'null'],
        ['RSA_PUBLIC_KEY_FP', fp(u.keys[0])],
        ['RSA_PUBLIC_KEY_2_FP', fp(u.keys[1])],
      ].map(([property, value]) => ({ property, value, default: 'null', description: '' }));
    }
    if ((m = new RegExp(`^SHOW USERS LIKE ${STRING}$`).exec(sql))) {
      const like = m[1].toUpperCase();
      return [...this.users]
        .filter(([n]) => n === like)
        .map(([name, u]) => ({
          name,
          type: u.type,
          comment: u.comment || null,
          default_role: u.defaultRole,
          default_warehouse: u.defaultWarehouse,
          has_rsa_public_key: String(u.keys[0] !== null),
        }));
    }
    if ((m = /^DROP USER IF EXISTS ("[^"]+")$/.exec(sql))) {
      this.users.delete(canonical(m[1]));
      return ok();
    }
    throw new SqlFailure(`test server: unsupported statement: ${sql}`, '001003', '42000');
  }

  private roleToUser(sql: string): Rows {
    const m = /^(GRANT|REVOKE) ROLE ("[^"]+") (?:TO|FROM) USER ("[^"]+")$/.exec(sql);
    if (!m) throw new SqlFailure(`test server: unsupported statement: ${sql}`, '001003', '42000');
    const role = canonical(m[2]);
    if (!this.catalog.model.roles.has(role)) throw notExists(role);
    const [, u] = this.requireUser(m[3]);
    if (m[1] === 'GRANT') u.roles.add(role);
    else u.roles.delete(role);
    return ok();
  }

  private grantsToUser(sql: string): Rows {
    const m = /^SHOW GRANTS TO USER ("[^"]+")$/.exec(sql);
    if (!m) throw new SqlFailure(`test server: unsupported statement: ${sql}`, '001003', '42000');
    const [name, u] = this.requireUser(m[1]);
    return [...u.roles].map((role) => ({ role, granted_to: 'USER', grantee_name: name }));
  }
}
