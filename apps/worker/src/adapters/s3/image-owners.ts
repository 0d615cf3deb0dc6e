/**
 * Which stored objects belong to which external id, read back from S3 for `pnpm gallery:rebuild`: the
 * worker stores every image with x-amz-meta-external-image-id (EXTERNAL_ID_METADATA). ListObjectsV2 does
 * not return user metadata, so this costs one HEAD per object: fine for a rare repair, bounded by the
 * concurrency below.
 */
import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { EXTERNAL_ID_METADATA } from "./image-store.ts";

/** external id -> object keys carrying it. */
export type ImageOwners = Map<string, string[]>;

// HEADs in flight at once: quick on S3, gentle on a local S3 sharing two cores.
const HEAD_CONCURRENCY = 8;

export async function findImageOwners(client: Pick<S3Client, "send">, bucket: string): Promise<ImageOwners> {
  const owners: ImageOwners = new Map();
  let continuationToken: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: continuationToken }));
    const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
    for (let start = 0; start < keys.length; start += HEAD_CONCURRENCY) {
      await Promise.all(
        keys.slice(start, start + HEAD_CONCURRENCY).map(async (key) => {
          const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
          // The SDK lower-cases metadata names.
          const owner = head.Metadata?.[EXTERNAL_ID_METADATA];
          if (owner) owners.set(owner, [...(owners.get(owner) ?? []), key]);
        }),
      );
    }
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken);
  return owners;
}
