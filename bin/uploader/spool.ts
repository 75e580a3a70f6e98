/**
 * The spool: a folder per file, moved between state folders by atomic renames so a crash at any instant
 * leaves every file in exactly one state, whole:
 *
 *   tmp/<id>/        being admitted (origin.json first, then data or data.partial); finished or removed on restart
 *   incoming/<id>/   data + meta.json (size, SHA-256, object key): waiting
 *   sending/<id>/    being uploaded (+ multipart.json: upload id and finished parts, for resume)
 *   sent/<id>/       meta.json + receipt.json (data removed unless keepSent)
 *   failed/<id>/     data + meta.json + error.json: a permanent error; `requeue` moves them back to incoming/
 *
 * Disk use is bounded: the data in tmp, incoming, sending and failed never exceeds `maxBytes`, and a copy
 * is refused when the disk itself lacks room; either is a {@link SpoolFullError} naming the file and sizes.
 */
import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import { join } from 'path';
import { ENTRY_FILES, SPOOL_STATES, type SpoolState } from './defaults';
import { copyDurably, exists, fsyncPath, hashFile, readJson, writeFileAtomic } from './files';
import type { Logger } from './log';

/** What the spool knows of a file once admitted. */
export interface EntryMeta {
  readonly id: string;
  /** Path relative to the folder it came from, `/`-separated (or its base name). */
  readonly name: string;
  readonly size: number;
  /** SHA-256 of the bytes, hex. */
  readonly sha256: string;
  /** The object key it is uploaded to. */
  readonly key: string;
  /** When it entered the spool (ISO-8601). */
  readonly spooledAt: string;
  /** Where it came from: a file path or a polled URL. */
  readonly origin: string;
}

export interface SpoolEntry {
  readonly state: SpoolState;
  readonly dir: string;
  readonly meta: EntryMeta;
}

interface Origin {
  readonly name: string;
  readonly origin: string;
  /** move: the file itself was renamed in; copy: a copy (the original stays); roll: an NDJSON roll. */
  readonly mode: 'move' | 'copy' | 'roll';
}

export class SpoolFullError extends Error {
  override readonly name = 'SpoolFullError';
}

export interface SpoolOptions {
  /** Largest total data in tmp + incoming + sending + failed, in bytes. */
  readonly maxBytes: number;
  /** Object key of a file from its name and SHA-256 (see keys.ts). */
  readonly keyOf: (name: string, sha256: string) => string;
  readonly log: Logger;
}

/** A time-ordered, unique entry id. */
export function newEntryId(now = Date.now()): string {
  return `${now.toString(36).padStart(9, '0')}-${randomBytes(5).toString('hex')}`;
}

export class Spool {
  private usedBytes = 0;

  private constructor(
    readonly root: string,
    private readonly options: SpoolOptions,
  ) {}

  /** Opens (creating if needed) a spool and finishes or removes whatever a crash left in tmp/. */
  static async open(root: string, options: SpoolOptions): Promise<Spool> {
    const spool = new Spool(root, options);
    for (const state of SPOOL_STATES) await fs.mkdir(join(root, state), { recursive: true });
    await spool.recoverTmp();
    for (const state of ['incoming', 'sending', 'failed'] as const) {
      for (const entry of await spool.list(state)) spool.usedBytes += entry.meta.size;
    }
    return spool;
  }

  /** Bytes of data the spool holds now (tmp + incoming + sending + failed). */
  get used(): number {
    return this.usedBytes;
  }

  get maxBytes(): number {
    return this.options.maxBytes;
  }

  entryDir(state: SpoolState, id: string): string {
    return join(this.root, state, id);
  }

  /** Takes a file into the spool by renaming it (the file leaves its folder); copies across disks. */
  async admitByMove(path: string, name: string): Promise<SpoolEntry> {
    const { size } = await fs.stat(path);
    this.reserve(size, name);
    const dir = await this.begin({ name, origin: path, mode: 'move' });
    try {
      await fs.rename(path, join(dir, ENTRY_FILES.data));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') {
        await this.abandon(dir, size);
        throw err;
      }
      await this.checkDiskRoom(size, name);
      await copyDurably(path, join(dir, ENTRY_FILES.partial));
      await fs.rename(join(dir, ENTRY_FILES.partial), join(dir, ENTRY_FILES.data));
      await fs.unlink(path);
    }
    return this.promote(dir, { name, origin: path, mode: 'move' });
  }

  /** Takes a copy of a file into the spool (the original stays where it is). */
  async admitByCopy(path: string, name: string): Promise<SpoolEntry> {
    const { size } = await fs.stat(path);
    this.reserve(size, name);
    await this.checkDiskRoom(size, name).catch((err) => {
      this.usedBytes -= size;
      throw err;
    });
    const origin: Origin = { name, origin: path, mode: 'copy' };
    const dir = await this.begin(origin);
    try {
      await copyDurably(path, join(dir, ENTRY_FILES.partial));
      await fs.rename(join(dir, ENTRY_FILES.partial), join(dir, ENTRY_FILES.data));
    } catch (err) {
      await this.abandon(dir, size);
      throw err;
    }
    return this.promote(dir, origin);
  }

  /** Starts an NDJSON roll (see roll.ts): the caller appends to the returned `partialPath`, then calls `close`. */
  async beginRoll(
    name: string,
    origin: string,
  ): Promise<{ partialPath: string; close(): Promise<SpoolEntry | undefined> }> {
    const o: Origin = { name, origin, mode: 'roll' };
    const dir = await this.begin(o);
    const partialPath = join(dir, ENTRY_FILES.partial);
    await fs.writeFile(partialPath, '');
    return {
      partialPath,
      close: async () => {
        await fsyncPath(partialPath);
        return this.finishRoll(dir, o);
      },
    };
  }

  /** Reserves room for `bytes` more (a roll's next line); throws SpoolFullError when it does not fit. */
  reserve(bytes: number, what: string): void {
    if (this.usedBytes + bytes > this.options.maxBytes) {
      throw new SpoolFullError(
        `spool ${this.root} is full: it holds ${this.usedBytes} bytes of at most ${this.options.maxBytes} ` +
          `(--max-spool-bytes) and "${what}" needs ${bytes} more; it was left where it was`,
      );
    }
    this.usedBytes += bytes;
  }

  /** Entries of one state, oldest first. */
  async list(state: SpoolState): Promise<SpoolEntry[]> {
    const ids = (await fs.readdir(join(this.root, state))).filter((n) => !n.endsWith('.tmp')).sort();
    const entries: SpoolEntry[] = [];
    for (const id of ids) {
      const dir = this.entryDir(state, id);
      const meta = await readJson<EntryMeta>(join(dir, ENTRY_FILES.meta));
      if (meta) entries.push({ state, dir, meta });
    }
    return entries;
  }

  /** incoming → sending (or failed → incoming, sending → …): one atomic rename of the entry's folder. */
  async move(entry: SpoolEntry, to: SpoolState): Promise<SpoolEntry> {
    const dir = this.entryDir(to, entry.meta.id);
    await fs.rename(entry.dir, dir);
    await fsyncPath(join(this.root, to));
    return { state: to, dir, meta: entry.meta };
  }

  /** sending → sent with a receipt; the data is removed unless `keepData`. */
  async finish(entry: SpoolEntry, receipt: Record<string, unknown>, keepData: boolean): Promise<SpoolEntry> {
    await writeFileAtomic(join(entry.dir, ENTRY_FILES.receipt), JSON.stringify(receipt, null, 2));
    const sent = await this.move(entry, 'sent');
    if (!keepData) await fs.rm(join(sent.dir, ENTRY_FILES.data), { force: true });
    await fs.rm(join(sent.dir, ENTRY_FILES.multipart), { force: true });
    this.usedBytes -= entry.meta.size;
    return sent;
  }

  /** sending → failed with the error; the data is kept for `requeue`. */
  async fail(entry: SpoolEntry, error: Record<string, unknown>): Promise<SpoolEntry> {
    await writeFileAtomic(join(entry.dir, ENTRY_FILES.error), JSON.stringify(error, null, 2));
    return this.move(entry, 'failed');
  }

  /** Every failed entry back to incoming (its error.json kept as `error.json.previous`). */
  async requeue(): Promise<number> {
    const failed = await this.list('failed');
    for (const entry of failed) {
      await fs
        .rename(join(entry.dir, ENTRY_FILES.error), join(entry.dir, `${ENTRY_FILES.error}.previous`))
        .catch(() => {});
      await this.move(entry, 'incoming');
    }
    return failed.length;
  }

  /** Counts and bytes per state, the oldest waiting file and multipart progress. */
  async status(): Promise<Record<string, unknown>> {
    const states: Record<string, unknown> = {};
    for (const state of SPOOL_STATES) {
      if (state === 'tmp') continue;
      const entries = await this.list(state);
      states[state] = {
        files: entries.length,
        bytes: entries.reduce((n, e) => n + e.meta.size, 0),
        ...(state === 'incoming' && entries[0] ? { oldestSpooledAt: entries[0].meta.spooledAt } : {}),
        ...(state === 'failed' ? { errors: await this.errors(entries) } : {}),
      };
    }
    return { spool: this.root, usedBytes: this.usedBytes, maxBytes: this.options.maxBytes, ...states };
  }

  private async errors(entries: SpoolEntry[]) {
    return Promise.all(
      entries.slice(0, 20).map(async (e) => ({
        name: e.meta.name,
        key: e.meta.key,
        ...(await readJson<Record<string, unknown>>(join(e.dir, ENTRY_FILES.error))),
      })),
    );
  }

  private async begin(origin: Origin): Promise<string> {
    const dir = this.entryDir('tmp', newEntryId());
    await fs.mkdir(dir);
    await writeFileAtomic(join(dir, ENTRY_FILES.origin), JSON.stringify(origin));
    return dir;
  }

  private async abandon(dir: string, size: number): Promise<void> {
    this.usedBytes -= size;
    await fs.rm(dir, { recursive: true, force: true });
  }

  private async checkDiskRoom(size: number, name: string): Promise<void> {
    const s = await fs.statfs(this.root);
    const free = s.bavail * s.bsize;
    if (free < size) {
      throw new SpoolFullError(
        `the disk of spool ${this.root} has ${free} bytes free and "${name}" needs ${size}; it was left where it was`,
      );
    }
  }

  /** tmp/<id> with its data → hash it, write meta.json and rename it into incoming/. */
  private async promote(dir: string, origin: Origin): Promise<SpoolEntry> {
    const id = dir.split(/[\\/]/).pop()!;
    const data = join(dir, ENTRY_FILES.data);
    const { sha256, size } = await hashFile(data);
    const base = { id, name: origin.name, size, sha256, spooledAt: new Date().toISOString(), origin: origin.origin };
    let meta: EntryMeta;
    try {
      meta = { ...base, key: this.options.keyOf(origin.name, sha256) };
    } catch (err) {
      // A file the key rules refuse (e.g. a name that is only an extension) is kept, in failed/, with the reason.
      meta = { ...base, key: '' };
      await writeFileAtomic(join(dir, ENTRY_FILES.meta), JSON.stringify(meta, null, 2));
      const entry = await this.move({ state: 'tmp', dir, meta }, 'failed');
      await writeFileAtomic(
        join(entry.dir, ENTRY_FILES.error),
        JSON.stringify({ error: (err as Error).name, message: (err as Error).message }, null, 2),
      );
      this.options.log.error('spool-rejected', { name: origin.name, message: (err as Error).message });
      return entry;
    }
    await writeFileAtomic(join(dir, ENTRY_FILES.meta), JSON.stringify(meta, null, 2));
    const entry = await this.move({ state: 'tmp', dir, meta }, 'incoming');
    this.options.log.info('spooled', { id, name: meta.name, size, key: meta.key });
    return entry;
  }

  /** A roll's partial file → cut back to its last complete line, renamed to data and promoted (if not empty). */
  private async finishRoll(dir: string, origin: Origin): Promise<SpoolEntry | undefined> {
    const partial = join(dir, ENTRY_FILES.partial);
    const text = await fs.readFile(partial);
    const end = text.lastIndexOf(0x0a) + 1;
    if (end < text.length) {
      await fs.truncate(partial, end);
      this.options.log.warn('roll-truncated', { name: origin.name, droppedBytes: text.length - end });
    }
    if (end === 0) {
      await fs.rm(dir, { recursive: true, force: true });
      return undefined;
    }
    await fs.rename(partial, join(dir, ENTRY_FILES.data));
    return this.promote(dir, origin);
  }

  /** After a crash: finish what was admitted whole, drop what was not (its original is still in place). */
  private async recoverTmp(): Promise<void> {
    for (const id of await fs.readdir(join(this.root, 'tmp'))) {
      const dir = this.entryDir('tmp', id);
      const origin = await readJson<Origin>(join(dir, ENTRY_FILES.origin)).catch(() => undefined);
      const hasData = await exists(join(dir, ENTRY_FILES.data));
      const hasPartial = await exists(join(dir, ENTRY_FILES.partial));
      if (origin && hasData) {
        const entry = await this.promote(dir, origin);
        this.options.log.warn('recovered', { id, name: origin.name, state: entry.state });
      } else if (origin?.mode === 'roll' && hasPartial) {
        await this.finishRoll(dir, origin);
        this.options.log.warn('recovered-roll', { id, name: origin.name });
      } else {
        // Nothing of the original was moved in yet (or only a partial copy of a file that is still in place).
        await fs.rm(dir, { recursive: true, force: true });
        this.options.log.info('discarded-partial', { id, name: origin?.name });
      }
    }
  }
}
