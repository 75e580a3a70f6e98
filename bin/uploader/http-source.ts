/**
 * `poll <url>`: an HTTP JSON source (scenario 001's API collector) on a schedule. Each response becomes one
 * NDJSON line `{"fetched_at":…,"url":…,"status":…,"body":<the JSON as received>}` appended to a roll in the
 * spool; a roll is closed and uploaded once it reaches `rollBytes` or `rollMs` of age, so the pipeline gets
 * a few large files instead of one tiny file per poll. The body keeps its exact text (numbers keep every
 * digit), with insignificant whitespace removed so it fits on one line.
 */
import { promises as fs } from 'fs';
import type { Logger } from './log';
import { amzDate } from './roles-anywhere';
import type { Spool } from './spool';

/** Raised when a response is not usable (non-2xx or not JSON); nothing is spooled for that poll. */
export class PollError extends Error {
  override readonly name = 'PollError';
}

/** Removes whitespace outside strings from valid JSON text (it must parse). */
export function compactJson(text: string): string {
  JSON.parse(text);
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c !== ' ' && c !== '\n' && c !== '\r' && c !== '\t') out += c;
  }
  return out;
}

/** One request → one NDJSON line (without the newline). */
export async function fetchLine(
  url: string,
  timeoutMs: number,
  headers: Record<string, string> = {},
  now: () => Date = () => new Date(),
): Promise<string> {
  const fetchedAt = now().toISOString();
  const response = await fetch(url, {
    headers: { accept: 'application/json', ...headers },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (!response.ok) throw new PollError(`${url} answered HTTP ${response.status}: ${text.slice(0, 200)}`);
  let body: string;
  try {
    body = compactJson(text);
  } catch (err) {
    throw new PollError(
      `${url} answered something that is not JSON (${(err as Error).message}): ${text.slice(0, 200)}`,
      { cause: err },
    );
  }
  return `{"fetched_at":${JSON.stringify(fetchedAt)},"url":${JSON.stringify(url)},"status":${response.status},"body":${body}}`;
}

/** The open roll of a poller: lines are appended to one spool file until it is big or old enough. */
export class NdjsonRoller {
  private current?: { handle: fs.FileHandle; close: () => Promise<unknown>; bytes: number; openedAt: number };

  constructor(
    private readonly spool: Spool,
    private readonly url: string,
    private readonly rollBytes: number,
    private readonly rollMs: number,
    private readonly log: Logger,
  ) {}

  async append(line: string, now: number = Date.now()): Promise<void> {
    const bytes = Buffer.byteLength(line) + 1;
    this.spool.reserve(bytes, `a response of ${this.url}`);
    if (!this.current) {
      const name = `poll-${amzDate(new Date(now))}.ndjson`;
      const roll = await this.spool.beginRoll(name, this.url);
      this.current = { handle: await fs.open(roll.partialPath, 'a'), close: roll.close, bytes: 0, openedAt: now };
    }
    await this.current.handle.write(`${line}\n`);
    this.current.bytes += bytes;
    if (this.current.bytes >= this.rollBytes) await this.close('size');
  }

  /** Closes the roll if it is older than `rollMs`. */
  async rollIfOld(now: number = Date.now()): Promise<void> {
    if (this.current && now - this.current.openedAt >= this.rollMs) await this.close('age');
  }

  /** Closes the open roll (if any) into incoming/. */
  async close(reason = 'shutdown'): Promise<void> {
    const roll = this.current;
    if (!roll) return;
    this.current = undefined;
    await roll.handle.close();
    await roll.close();
    this.log.info('roll-closed', { reason, bytes: roll.bytes });
  }
}
