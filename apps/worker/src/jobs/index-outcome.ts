/** Builds the job's return value from what S3 and Rekognition answered. */
import type { IndexFacesOutcome, UnindexedFace } from "@faceindex/contracts";
import type { IndexFacesResult } from "../adapters/rekognition/face-index.ts";

export interface StoredImage {
  bucket: string;
  key: string;
  etag: string;
}

export function indexedOutcome(collectionId: string, stored: StoredImage, result: IndexFacesResult): IndexFacesOutcome {
  const [first] = result.indexed;
  if (!first) return { status: "no_face", message: noFaceMessage(result.unindexed), unindexed_faces: result.unindexed };
  return {
    status: "indexed",
    data: {
      ...first,
      collection_id: collectionId,
      face_model_version: result.faceModelVersion,
      s3: stored,
      indexed_faces: result.indexed,
      unindexed_faces: result.unindexed,
    },
  };
}

/** Says why nothing was indexed, e.g. "1 face found but not indexed: LOW_SHARPNESS". */
export function noFaceMessage(unindexed: UnindexedFace[]): string {
  if (unindexed.length === 0) return "No face was indexed: no face found in the image";
  const reasons = [...new Set(unindexed.flatMap((face) => face.reasons))];
  const count = unindexed.length === 1 ? "1 face found" : `${unindexed.length} faces found`;
  return `${count} but not indexed: ${reasons.length > 0 ? reasons.join(", ") : "no reason given"}`;
}
