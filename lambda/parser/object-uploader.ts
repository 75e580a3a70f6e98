import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { CompletedPart, S3Client } from '@aws-sdk/client-s3';

/** Size of every multipart part but the last (S3's minimum is 5 MiB). Fixed, so part ETags are deterministic. */
export const UPLOAD_PART_BYTES = 8 * 1024 * 1024;

/**
 * Writes one S3 object from a sequence of chunks with flat memory, invisible until {@link commit}:
 * full parts go out as multipart parts as soon as they fill; the object appears only when the
 * multipart upload is completed (or, for a small object that never filled a part, when it is
 * PUT in one request at commit). {@link abort} discards everything.
 */
export class ObjectUploader {
  private chunks: Buffer[] = [];
  private pendingBytes = 0;
  private uploadId: string | undefined;
  private readonly parts: CompletedPart[] = [];
  private sealed = false;
  /** Total bytes added. */
  bytes = 0;

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    readonly key: string,
    private readonly contentType: string,
  ) {}

  /** Adds bytes; uploads a part when a full one is pending. */
  async add(chunk: Buffer): Promise<void> {
    this.chunks.push(chunk);
    this.pendingBytes += chunk.length;
    this.bytes += chunk.length;
    while (this.pendingBytes >= UPLOAD_PART_BYTES) {
      const all = Buffer.concat(this.chunks, this.pendingBytes);
      const part = all.subarray(0, UPLOAD_PART_BYTES);
      const rest = all.subarray(UPLOAD_PART_BYTES);
      this.chunks = rest.length > 0 ? [Buffer.from(rest)] : [];
      this.pendingBytes = rest.length;
      await this.uploadPart(part);
    }
  }

  /** No more bytes: uploads the pending tail as the last part (a multipart upload is started if needed). */
  async seal(): Promise<void> {
    if (this.sealed) return;
    this.sealed = true;
    if (this.pendingBytes > 0 || this.uploadId === undefined) {
      await this.uploadPart(Buffer.concat(this.chunks, this.pendingBytes));
      this.chunks = [];
      this.pendingBytes = 0;
    }
  }

  /** Makes the object visible. A small object that never started a multipart upload is PUT in one request. */
  async commit(): Promise<void> {
    if (this.uploadId === undefined) {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          Body: Buffer.concat(this.chunks, this.pendingBytes),
          ContentType: this.contentType,
        }),
      );
      this.chunks = [];
      return;
    }
    await this.seal();
    await this.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: this.key,
        UploadId: this.uploadId,
        MultipartUpload: { Parts: this.parts },
      }),
    );
    this.uploadId = undefined;
  }

  /** Discards the object (aborts its multipart upload). Never throws: the caller is already failing. */
  async abort(): Promise<void> {
    this.chunks = [];
    this.pendingBytes = 0;
    const uploadId = this.uploadId;
    this.uploadId = undefined;
    if (uploadId === undefined) return;
    try {
      await this.s3.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: uploadId }));
    } catch {
      // The bucket's lifecycle rule for incomplete multipart uploads removes it eventually.
    }
  }

  private async uploadPart(body: Buffer): Promise<void> {
    if (this.uploadId === undefined) {
      const created = await this.s3.send(
        new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, ContentType: this.contentType }),
      );
      this.uploadId = created.UploadId;
    }
    const partNumber = this.parts.length + 1;
    const out = await this.s3.send(
      new UploadPartCommand({
        Bucket: this.bucket,
        Key: this.key,
        UploadId: this.uploadId,
        PartNumber: partNumber,
        Body: body,
      }),
    );
    this.parts.push({ PartNumber: partNumber, ETag: out.ETag });
  }
}
