/** How the uploader reads S3's answers. */

const status = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
const nameOf = (err: unknown) => (err as { name?: string; Code?: string })?.name;

/** 412: `If-None-Match: *` found an object at the key — with content-derived keys, these very bytes. */
export function isPreconditionFailed(err: unknown): boolean {
  return nameOf(err) === 'PreconditionFailed' || status(err) === 412;
}

/** 404 NoSuchUpload: the multipart upload id is gone (completed, or aborted e.g. by a lifecycle rule). */
export function isNoSuchUpload(err: unknown): boolean {
  return nameOf(err) === 'NoSuchUpload';
}
