/**
 * The duplicate check on enrol: searches the collection with the image just stored in S3 and keeps the
 * faces of OTHER external ids (re-enrolling the same person under the same id is not a duplicate).
 */
import type { FaceMatch } from "@faceindex/contracts";
import type { FaceCollection } from "../adapters/rekognition/face-collection.ts";
import { withGalleryDetails } from "./face-matches.ts";
import type { GalleryMap } from "../adapters/redis/gallery-map.ts";

export interface DuplicateCheckDeps {
  faceCollection: Pick<FaceCollection, "searchFacesByImage">;
  gallery: Pick<GalleryMap, "lookup">;
  collectionId: string;
}

export interface DuplicateProbe {
  bucket: string;
  key: string;
  externalImageId: string;
  threshold: number;
}

// Room for the person's own earlier faces (filtered out after the search) and still a useful list.
const MAX_CANDIDATES = 100;

export async function findDuplicates(deps: DuplicateCheckDeps, probe: DuplicateProbe): Promise<FaceMatch[]> {
  const result = await deps.faceCollection.searchFacesByImage({
    collectionId: deps.collectionId,
    image: { bucket: probe.bucket, key: probe.key },
    threshold: probe.threshold,
    maxFaces: MAX_CANDIDATES,
  });
  // No face in the image: nothing can be a duplicate; IndexFaces then reports no_face with its reasons.
  if (!result) return [];
  const others = result.matches.filter((match) => match.externalImageId !== probe.externalImageId);
  return withGalleryDetails(others, deps.gallery);
}

export function duplicateMessage(duplicates: FaceMatch[]): string {
  const ids = [...new Set(duplicates.map((match) => match.external_image_id))];
  return `The face is already enrolled under ${ids.length === 1 ? "another external id" : `${ids.length} other external ids`}: ${ids.join(", ")}`;
}
