/**
 * Rebuilds the gallery mapping from the collection itself (ListFaces, paginated), for when the mapping
 * was lost or never written (faces indexed before it existed).
 *
 * Rekognition keeps FaceId and ExternalImageId but not the bucket or the object key, so:
 * - the bucket: a deployment writes one collection from buckets it knows, passed in; with one bucket every
 *   face belongs to it; with several, the bucket whose objects carry the face's external id (S3 metadata);
 * - the image key: the object in that bucket whose metadata names the external id; when there is no such
 *   object, or several (re-enrolments), it is recorded as unknown, and delete_image reports it.
 * Faces without an ExternalImageId cannot be erased by external id and are left out (counted).
 * The rebuild only adds entries; it never removes any, nor overwrites a face the mapping already knows (its
 * image key, written at index time, is exact where the rebuild may only know "unknown"), so it is safe while
 * workers run.
 */
import type { FaceCollection, StoredFace } from "../adapters/rekognition/face-collection.ts";
import type { GalleryMap } from "../adapters/redis/gallery-map.ts";
import type { ImageOwners } from "../adapters/s3/image-owners.ts";

export interface RebuildDeps {
  faceCollection: Pick<FaceCollection, "listFaces">;
  gallery: Pick<GalleryMap, "record" | "lookup">;
  /** The bucket's external id -> object keys; an empty map when image keys are not to be recovered. */
  findOwners(bucket: string): Promise<ImageOwners>;
  collectionId: string;
  buckets: string[];
}

export interface RebuildSummary {
  faces: number;
  external_ids: number;
  /** Faces recorded without an image key (no object, or several, carry their external id). */
  faces_with_unknown_image: number;
  /** Faces left out: no ExternalImageId, or no single bucket could be chosen. */
  skipped: number;
}

export async function rebuildGallery(deps: RebuildDeps): Promise<RebuildSummary> {
  if (deps.buckets.length === 0) throw new Error("name at least one bucket the collection's images are stored in");
  const owners = new Map<string, ImageOwners>();
  for (const bucket of deps.buckets) owners.set(bucket, await deps.findOwners(bucket));
  const summary: RebuildSummary = { faces: 0, external_ids: 0, faces_with_unknown_image: 0, skipped: 0 };
  const seen = new Set<string>();

  let nextToken: string | undefined;
  do {
    const page = await deps.faceCollection.listFaces(deps.collectionId, nextToken);
    for (const [externalImageId, faces] of groupByExternalId(page.faces)) {
      const bucket = externalImageId ? chooseBucket(externalImageId) : undefined;
      if (!bucket) {
        summary.skipped += faces.length;
        continue;
      }
      const keys = owners.get(bucket)?.get(externalImageId) ?? [];
      const imageKey = keys.length === 1 ? (keys[0] ?? null) : null;
      const known = await deps.gallery.lookup(faces.map((face) => face.faceId));
      const missing = faces.filter((face) => !known.has(face.faceId));
      await deps.gallery.record(
        bucket,
        externalImageId,
        missing.map((face) => ({ faceId: face.faceId, imageKey })),
      );
      summary.faces += faces.length;
      if (!imageKey) summary.faces_with_unknown_image += missing.length;
      for (const face of known.values()) if (!face.image_key) summary.faces_with_unknown_image += 1;
      seen.add(`${bucket}:${externalImageId}`);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  summary.external_ids = seen.size;
  return summary;

  function chooseBucket(externalImageId: string): string | undefined {
    const holding = deps.buckets.filter((bucket) => owners.get(bucket)?.has(externalImageId));
    if (holding.length === 1) return holding[0];
    return holding.length === 0 && deps.buckets.length === 1 ? deps.buckets[0] : undefined;
  }
}

function groupByExternalId(faces: StoredFace[]): Map<string, StoredFace[]> {
  const groups = new Map<string, StoredFace[]>();
  for (const face of faces) groups.set(face.externalImageId, [...(groups.get(face.externalImageId) ?? []), face]);
  return groups;
}
