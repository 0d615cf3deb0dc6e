/**
 * The gallery mapping in Redis (keys: see gallery-keys.ts in the contract): which faces belong to a
 * (bucket, external id) and, per face, where its image is. Rekognition cannot list faces by
 * ExternalImageId, so without it a delete would have to scan a collection of millions of faces.
 */
import type { Redis } from "ioredis";
import { externalIdKey, facesKey, type GalleryFace } from "@faceindex/contracts";

export interface MappedFace {
  faceId: string;
  /** null when unknown (the rebuild could not recover it). */
  imageKey: string | null;
}

export interface GalleryMap {
  /** Adds faces indexed under (bucket, external id); written in one MULTI so both views agree. */
  record(bucket: string, externalImageId: string, faces: MappedFace[]): Promise<void>;
  /** Every face mapped to (bucket, external id); empty when none. */
  facesOf(bucket: string, externalImageId: string): Promise<MappedFace[]>;
  /** Removes faces from both views (the per-id hash disappears with its last field). */
  forget(bucket: string, externalImageId: string, faceIds: string[]): Promise<void>;
  /** Bucket, key and external id of each face the mapping knows; unknown ids are left out. */
  lookup(faceIds: string[]): Promise<Map<string, GalleryFace>>;
}

export function createGalleryMap(
  redis: Pick<Redis, "multi" | "hgetall" | "hmget">,
  prefix: string,
  collectionId: string,
): GalleryMap {
  const faces = facesKey(prefix, collectionId);
  const byExternalId = (bucket: string, externalImageId: string) =>
    externalIdKey(prefix, collectionId, bucket, externalImageId);

  return {
    async record(bucket, externalImageId, mapped) {
      if (mapped.length === 0) return;
      const entries = mapped.flatMap((face) => [face.faceId, face.imageKey ?? ""]);
      const details = mapped.flatMap((face) => {
        const record: GalleryFace = { bucket, image_key: face.imageKey, external_image_id: externalImageId };
        return [face.faceId, JSON.stringify(record)];
      });
      await exec(
        redis
          .multi()
          .hset(byExternalId(bucket, externalImageId), ...entries)
          .hset(faces, ...details),
      );
    },
    async facesOf(bucket, externalImageId) {
      const entries = await redis.hgetall(byExternalId(bucket, externalImageId));
      return Object.entries(entries).map(([faceId, imageKey]) => ({ faceId, imageKey: imageKey || null }));
    },
    async forget(bucket, externalImageId, faceIds) {
      if (faceIds.length === 0) return;
      await exec(
        redis
          .multi()
          .hdel(byExternalId(bucket, externalImageId), ...faceIds)
          .hdel(faces, ...faceIds),
      );
    },
    async lookup(faceIds) {
      const found = new Map<string, GalleryFace>();
      if (faceIds.length === 0) return found;
      const values = await redis.hmget(faces, ...faceIds);
      faceIds.forEach((faceId, i) => {
        const value = values[i];
        if (value) found.set(faceId, JSON.parse(value) as GalleryFace);
      });
      return found;
    },
  };
}

/** MULTI's exec resolves even when a command failed; surface the first error so the job retries. */
async function exec(multi: ReturnType<Redis["multi"]>): Promise<void> {
  const results = (await multi.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
}
