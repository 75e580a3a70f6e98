/**
 * `watch <dir>`: finds files that have settled (same size and modification time for `settleMs`) anywhere
 * under a folder. Names starting with `.` (the spool, editors' and producers' temporary files) are skipped,
 * so a producer that writes `.orders.csv` and renames it to `orders.csv` is never read half-written.
 */
import { promises as fs } from 'fs';
import { join, relative, sep } from 'path';

export interface SettledFile {
  /** Absolute path. */
  readonly path: string;
  /** Path relative to the watched folder, `/`-separated. */
  readonly name: string;
}

export class FolderScanner {
  private readonly seen = new Map<string, { size: number; mtimeMs: number; since: number }>();

  constructor(
    readonly dir: string,
    readonly settleMs: number,
  ) {}

  /** Files whose size and mtime have not changed for at least `settleMs` (first sightings wait). */
  async scan(now: number = Date.now()): Promise<SettledFile[]> {
    const settled: SettledFile[] = [];
    const present = new Set<string>();
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const e of entries) {
        if (e.name.startsWith('.')) continue;
        const path = join(dir, e.name);
        if (e.isDirectory()) await walk(path);
        else if (e.isFile()) {
          const stat = await fs.stat(path).catch(() => undefined);
          if (!stat) continue;
          present.add(path);
          const before = this.seen.get(path);
          if (!before || before.size !== stat.size || before.mtimeMs !== stat.mtimeMs) {
            this.seen.set(path, { size: stat.size, mtimeMs: stat.mtimeMs, since: now });
          } else if (now - before.since >= this.settleMs) {
            settled.push({ path, name: relative(this.dir, path).split(sep).join('/') });
          }
        }
      }
    };
    await walk(this.dir);
    for (const path of this.seen.keys()) if (!present.has(path)) this.seen.delete(path);
    return settled.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Forgets a file (taken into the spool). */
  forget(path: string): void {
    this.seen.delete(path);
  }
}
