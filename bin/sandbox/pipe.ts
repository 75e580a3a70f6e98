/**
 * The pipe, emulated: every stage object under `data/` not yet in the warehouse's load history
 * (name + eTag, like Snowpipe's load metadata) is read from the local S3 and loaded into its
 * dataset's bronze table and stream. Running it again loads nothing twice, so it is both the
 * auto-ingest path and `ALTER PIPE … REFRESH`.
 */
import { GetObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { STAGE_DATA_PREFIX } from '../../contracts/constants';
import type { LoadOutcome, Warehouse } from './warehouse';

export interface StageObject {
  readonly key: string;
  readonly eTag: string;
}

export async function listObjects(s3: S3Client, bucket: string, prefix: string): Promise<StageObject[]> {
  const objects: StageObject[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
    for (const o of page.Contents ?? []) {
      if (o.Key && !o.Key.endsWith('/')) objects.push({ key: o.Key, eTag: (o.ETag ?? '').replace(/"/g, '') });
    }
  }
  return objects.sort((a, b) => a.key.localeCompare(b.key));
}

export interface PipeLoad {
  readonly stageFile: string;
  readonly outcome: LoadOutcome;
}

/** Loads every new stage file; returns what happened to each file it had not seen before. */
export async function runPipe(
  s3: S3Client,
  stageBucket: string,
  warehouse: Warehouse,
  onLoading: (stageFile: string, bytes: number) => void = () => undefined,
): Promise<PipeLoad[]> {
  const seen = await warehouse.loadedFiles();
  const loads: PipeLoad[] = [];
  for (const object of await listObjects(s3, stageBucket, STAGE_DATA_PREFIX)) {
    if (seen.has(`${object.key}\0${object.eTag}`)) continue;
    const out = await s3.send(new GetObjectCommand({ Bucket: stageBucket, Key: object.key, IfMatch: object.eTag }));
    const body = await out.Body?.transformToByteArray();
    onLoading(object.key, body?.length ?? 0);
    const outcome = await warehouse.loadStageFile(object.key, object.eTag, body ?? new Uint8Array());
    loads.push({ stageFile: object.key, outcome });
  }
  return loads;
}
