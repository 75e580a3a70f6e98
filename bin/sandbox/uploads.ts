/**
 * Putting input files into the inbound bucket, as a producer would: `<dir>/<source>/<dataset>/…`
 * becomes the key `<source>/<dataset>/…`. An upload log in the state directory remembers what was
 * sent (key + content hash), so running the sandbox again on the same folder does not re-send
 * unchanged files (a re-sent file is a new version: the real pipeline would ingest it again).
 */
import { createHash } from 'crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { join, relative, sep } from 'path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { UsageError } from './options';

export interface InputFile {
  readonly path: string;
  /** Inbound key: the path relative to the data folder, with `/` separators. */
  readonly key: string;
}

/** Orders keys by UTF-16 code units (byte order for ASCII): the same on every machine and locale. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Every file under `dir` that sits in a `<source>/` folder (top-level files are not inputs), in
 * upload order: sorted by inbound key (`<source>/<dataset>/<path>`) in code-unit order, so
 * `2026-11-01/…` comes before `2026-11-08/…` and `a-corrections.json` before `a.json` ('-' < '.').
 * Which version of a key wins in silver never depends on this order for a dataset with `orderBy`.
 */
export function inputFiles(dir: string): { files: InputFile[]; ignored: string[] } {
  const files: InputFile[] = [];
  const ignored: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        const key = relative(dir, path).split(sep).join('/');
        if (key.includes('/')) files.push({ path, key });
        else ignored.push(key);
      }
    }
  };
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`--data: ${dir} is not a directory (expected <source>/<dataset>/<files>)`);
  }
  walk(dir);
  return { files: files.sort((a, b) => compareKeys(a.key, b.key)), ignored: ignored.sort(compareKeys) };
}

export class UploadLog {
  private readonly sent: Record<string, string>;

  constructor(private readonly path: string) {
    this.sent = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>) : {};
  }

  /** Uploads `body` under `key` unless the same bytes were already sent; true when it uploaded. */
  async upload(s3: S3Client, bucket: string, key: string, body: Buffer): Promise<boolean> {
    const hash = createHash('sha256').update(body).digest('hex');
    if (this.sent[key] === hash) return false;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    this.sent[key] = hash;
    writeFileSync(this.path, JSON.stringify(this.sent, null, 1));
    return true;
  }
}
