/**
 * Where the gallery mapping lives in Redis, next to the queues (same `{...}` hash tag, so same cluster
 * slot). Written by the worker when it indexes, read by delete and search, rebuilt from ListFaces by
 * `pnpm gallery:rebuild`. Keyed by collection, since face ids only mean something within one.
 *
 * - externalIdKey: hash faceId -> image key ("" when unknown), one per (bucket, external id): what a
 *   delete needs without scanning the collection.
 * - facesKey: hash faceId -> JSON GalleryFace, one per collection: what a search result shows.
 * - lockKey: the per-(bucket, external id) lock that serialises index and delete.
 * Bucket names and collection ids cannot contain ":", so the keys cannot collide.
 */
export interface GalleryFace {
  bucket: string;
  /** null when unknown (a rebuild that could not recover it). */
  image_key: string | null;
  external_image_id: string;
}

export function galleryKeyPrefix(prefix: string, collectionId: string): string {
  return `${prefix}:gallery:${collectionId}`;
}

export function externalIdKey(prefix: string, collectionId: string, bucket: string, externalImageId: string): string {
  return `${galleryKeyPrefix(prefix, collectionId)}:ext:${bucket}:${externalImageId}`;
}

export function facesKey(prefix: string, collectionId: string): string {
  return `${galleryKeyPrefix(prefix, collectionId)}:faces`;
}

export function externalIdLockKey(
  prefix: string,
  collectionId: string,
  bucket: string,
  externalImageId: string,
): string {
  return `${galleryKeyPrefix(prefix, collectionId)}:lock:${bucket}:${externalImageId}`;
}
