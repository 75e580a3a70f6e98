/** File-system helpers of the spool: atomic writes, fsync, hashing. Plain Node APIs (Linux, macOS, Windows). */
import { createHash } from 'crypto';
import { createReadStream, promises as fs } from 'fs';
import { dirname } from 'path';

/** Flushes a file or folder to disk; folders cannot be opened for fsync on Windows (skipped there). */
export async function fsyncPath(path: string): Promise<void> {
  let handle;
  try {
    handle = await fs.open(path, 'r');
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'EBADF'].includes(code ?? '')) throw err;
  } finally {
    await handle?.close();
  }
}

/** Writes `text` to `path` so that a crash leaves either the old or the new content, never a mix. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, path);
  await fsyncPath(dirname(path));
}

/** Reads a JSON file, or undefined when it does not exist. */
export async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(path, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** SHA-256 (hex) and size of a file, streamed. */
export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Copies `from` to `to` and flushes the copy to disk. */
export async function copyDurably(from: string, to: string): Promise<void> {
  await fs.copyFile(from, to);
  await fsyncPath(to);
}

export const exists = (path: string) =>
  fs.stat(path).then(
    () => true,
    () => false,
  );
