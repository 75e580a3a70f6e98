/**
 * A Snowflake-protocol HTTP server on 127.0.0.1 for tests: the real snowflake-sdk logs in with
 * key-pair (JWT, RS256 signature verified against a registered public key) and runs statements,
 * which are recorded and answered from an in-memory catalog (snowflake-sql.ts), from scripted
 * replies, or with injected Snowflake errors (code + SQLSTATE).
 */
import { createHash, createPublicKey, verify } from 'crypto';
import type { KeyObject } from 'crypto';
import { createServer } from 'http';
import type { IncomingMessage, Server, ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { gunzipSync } from 'zlib';
import { Catalog, SqlFailure } from '../snowflake/support/catalog';
import type { Rows } from '../snowflake/support/catalog';

export interface InjectedError {
  /** Statements this applies to. */
  readonly match: RegExp;
  readonly code: string;
  readonly sqlState: string;
  readonly message: string;
  /** How many matching statements fail. @default 1 */
  times?: number;
  /** How many matching statements pass before the failures start. @default 0 */
  after?: number;
}

export interface ScriptedReply {
  readonly match: RegExp;
  readonly rows: Rows;
  times?: number;
}

export interface LoginRecord {
  readonly account: string;
  readonly user: string;
  readonly ok: boolean;
}

export class SnowflakeTestServer {
  readonly catalog = new Catalog();
  /** Every statement received, in order (including failed ones). */
  readonly statements: string[] = [];
  readonly logins: LoginRecord[] = [];
  /** Raw request bodies (to assert no key material travels beyond the JWT). */
  readonly bodies: string[] = [];
  private readonly keys = new Map<string, KeyObject>();
  private readonly errors: InjectedError[] = [];
  private readonly replies: ScriptedReply[] = [];
  private readonly tokens = new Set<string>();
  private server?: Server;
  private seq = 0;
  /**
   * Called with each statement before it runs (tests simulate what happens meanwhile, e.g. S3
   * events reaching a pipe between two statements of a procedure). @default none
   */
  beforeStatement?: (sql: string) => void;

  /** Registers `publicKeyPem` for `ACCOUNT.USER` (as `ALTER USER … SET RSA_PUBLIC_KEY` would). */
  registerUser(account: string, user: string, publicKeyPem: string): void {
    this.keys.set(`${account}.${user}`.toUpperCase(), createPublicKey(publicKeyPem));
  }

  failOn(error: InjectedError): void {
    this.errors.push({ times: 1, ...error });
  }

  replyTo(reply: ScriptedReply): void {
    this.replies.push({ times: Infinity, ...reply });
  }

  /** Statements that change something (not SHOW / DESC / SELECT). */
  get ddl(): string[] {
    return this.statements.filter((s) => !/^\s*(SHOW|DESC|DESCRIBE|SELECT)\b/i.test(s));
  }

  clearLog(): void {
    this.statements.length = 0;
    this.bodies.length = 0;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.route(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let raw = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
    const text = raw.toString('utf8');
    this.bodies.push(text);
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    const path = (req.url ?? '').split('?')[0];
    const send = (payload: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.method === 'POST' && path === '/session/v1/login-request') return send(this.login(body));
    if (req.method === 'POST' && path === '/session')
      return send({ success: true, code: null, message: null, data: null });
    if (req.method === 'POST' && path === '/telemetry/send')
      return send({ success: true, code: null, message: null, data: null });
    if (req.method === 'POST' && path === '/queries/v1/query-request') {
      const auth = /Snowflake Token="([^"]+)"/.exec(String(req.headers.authorization ?? ''));
      if (!auth || !this.tokens.has(auth[1]))
        return send({ success: false, code: '390104', message: 'Session no longer exists.', data: null });
      return send(this.query(String((body as { sqlText?: string }).sqlText ?? '')));
    }
    res.writeHead(404);
    res.end();
  }

  private login(body: Record<string, unknown>) {
    const data = (body.data ?? {}) as Record<string, string>;
    const account = String(data.ACCOUNT_NAME ?? '').toUpperCase();
    const user = String(data.LOGIN_NAME ?? '').toUpperCase();
    const fail = (message: string) => {
      this.logins.push({ account, user, ok: false });
      return { success: false, code: '390144', message, data: { nextAction: 'RETRY_LOGIN', authnMethod: 'JWT' } };
    };
    if (data.AUTHENTICATOR !== 'SNOWFLAKE_JWT') return fail('Only key-pair (JWT) authentication is accepted.');
    const key = this.keys.get(`${account}.${user}`);
    if (!key) return fail('JWT token is invalid.');
    const [h, p, s] = String(data.TOKEN ?? '').split('.');
    if (!h || !p || !s) return fail('JWT token is invalid.');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string };
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as { iss?: string; sub?: string; exp?: number };
    const fingerprint = `SHA256:${createHash('sha256')
      .update(key.export({ type: 'spki', format: 'der' }))
      .digest('base64')}`;
    const valid =
      header.alg === 'RS256' &&
      verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url')) &&
      payload.iss === `${account}.${user}.${fingerprint}` &&
      payload.sub === `${account}.${user}` &&
      (payload.exp ?? 0) * 1000 > Date.now();
    if (!valid) return fail('JWT token is invalid.');
    const token = `session-${++this.seq}`;
    this.tokens.add(token);
    this.logins.push({ account, user, ok: true });
    return {
      success: true,
      code: null,
      message: null,
      data: {
        token,
        masterToken: `master-${this.seq}`,
        validityInSeconds: 3600,
        masterValidityInSeconds: 14400,
        sessionId: this.seq,
        parameters: [],
        sessionInfo: {},
      },
    };
  }

  private query(sql: string) {
    this.statements.push(sql);
    this.beforeStatement?.(sql);
    const queryId = `01b0-${String(++this.seq).padStart(6, '0')}`;
    const error = this.errors.find((e) => {
      if ((e.times ?? 1) <= 0 || !e.match.test(sql)) return false;
      if ((e.after ?? 0) > 0) {
        e.after = (e.after ?? 0) - 1;
        return false;
      }
      return true;
    });
    if (error) {
      error.times = (error.times ?? 1) - 1;
      return { success: false, code: error.code, message: error.message, data: { sqlState: error.sqlState, queryId } };
    }
    let rows: Rows;
    const reply = this.replies.find((r) => (r.times ?? Infinity) > 0 && r.match.test(sql));
    try {
      if (reply) {
        reply.times = (reply.times ?? Infinity) - 1;
        rows = reply.rows;
      } else rows = this.catalog.execute(sql);
    } catch (e) {
      if (!(e instanceof SqlFailure)) throw e;
      return { success: false, code: e.code, message: e.message, data: { sqlState: e.sqlState, queryId } };
    }
    const names = rows.length ? Object.keys(rows[0]) : ['status'];
    return {
      success: true,
      code: null,
      message: null,
      data: {
        queryId,
        rowtype: names.map((name) => ({
          name,
          type: 'text',
          nullable: true,
          length: 16777216,
          byteLength: 16777216,
          scale: null,
          precision: null,
        })),
        rowset: rows.map((r) => names.map((n) => r[n] ?? null)),
        total: rows.length,
        returned: rows.length,
        queryResultFormat: 'json',
        statementTypeId: 4096,
        parameters: [],
      },
    };
  }
}
