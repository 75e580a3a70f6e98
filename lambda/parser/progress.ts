/**
 * Files being parsed right now in this process, with how far each has got. Nothing in the Lambda
 * reads it; a host that runs the handler in-process (the local sandbox) prints it every few seconds
 * so a long file never runs silently.
 */
export interface FileProgress {
  readonly key: string;
  /** Object size in bytes (compressed size for a compressed file). */
  readonly size: number;
  readonly startedAt: number;
  /** Bytes read from the object so far. */
  bytesIn(): number;
  /** Records parsed so far (staged + quarantined). */
  rows(): number;
}

const active = new Set<FileProgress>();

/** Registers a file; call the returned function when it is done (either way). */
export function trackFile(progress: FileProgress): () => void {
  active.add(progress);
  return () => active.delete(progress);
}

/** The files in progress, oldest first. */
export function activeFiles(): FileProgress[] {
  return [...active];
}
