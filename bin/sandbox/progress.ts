/**
 * Progress lines for files the in-process parser is working on (lambda/parser/progress.ts): MB read
 * of the object's size and rows parsed so far, printed every few seconds while it runs.
 */
import { activeFiles } from '../../lambda/parser/progress';

const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);

export function progressLines(now = Date.now()): string[] {
  return activeFiles().map(
    (f) =>
      `parser  … ${f.key}: ${mb(f.bytesIn())} of ${mb(f.size)} MB read, ${f.rows()} row(s) so far ` +
      `(${Math.round((now - f.startedAt) / 1000)} s)`,
  );
}
