/**
 * The delete-faces job contract: erase every face indexed under (bucket, external_image_id), and
 * optionally the stored S3 objects. The worker finds the faces in the gallery mapping (see
 * gallery-keys.ts): Rekognition cannot look faces up by ExternalImageId.
 */
import { z } from "zod";
import type { FailedOutcome } from "./failed-outcome.ts";
import { tenancyFields } from "./tenancy.ts";

export const DELETE_FACES_QUEUE = "delete-faces";

export const deleteFacesJobSchema = z.object({
  /** The BullMQ job id: from the Idempotency-Key when sent, so a retried erasure gets the first one's outcome. */
  ...tenancyFields,
  requestId: z.string().min(1),
  subject: z.string(),
  bucket: z.string().min(3).max(63),
  externalImageId: z.string().min(1).max(255),
  /** Also delete the S3 objects the faces were indexed from. */
  deleteImage: z.boolean(),
  /** sha256 of the request: a replay under the same Idempotency-Key with another digest is refused (apps/api jobs/idempotency.ts). */
  requestDigest: z.string().optional(),
});
export type DeleteFacesJob = z.infer<typeof deleteFacesJobSchema>;

/** `response` of the 200 answer. */
export interface DeletedFacesData {
  deleted_face_ids: string[];
  /** Faces Rekognition could not delete, with its reasons (e.g. FACE_NOT_FOUND). */
  unsuccessful_face_deletions: { face_id: string; reasons: string[] }[];
  external_image_id: string;
  bucket: string;
  collection_id: string;
  /**
   * Only with delete_image: every S3 key deleted, i.e. every object the service stored for this external id
   * in this bucket (indexed faces' images, no-face and refused uploads, every key ever used).
   */
  deleted_image_keys?: string[];
  /** Only without delete_image: the S3 keys still stored for this external id in this bucket. */
  remaining_image_keys?: string[];
  /** Only with delete_image: faces whose image key the mapping does not know, so their image was kept. */
  faces_with_unknown_image?: number;
}

export type DeleteFacesOutcome =
  | { status: "deleted"; data: DeletedFacesData }
  /** No face is indexed and no object is stored under that external id for that bucket. */
  | { status: "not_found"; message: string }
  | FailedOutcome;
