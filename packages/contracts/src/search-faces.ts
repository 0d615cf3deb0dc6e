/**
 * The search-faces job contract (the duplicate check): the probe image is parked in Redis like an
 * index-faces image and searched with SearchFacesByImage `Image.Bytes`, so it is never written to S3:
 * a search must not leave the person's photo behind.
 */
import { z } from "zod";
import { IMAGE_CONTENT_TYPES } from "@faceindex/common";
import type { BoundingBox, FaceMatch } from "./faces.ts";
import type { FailedOutcome } from "./failed-outcome.ts";
import { tenancyFields } from "./tenancy.ts";

export const SEARCH_FACES_QUEUE = "search-faces";

/** Where the API parks a probe image's bytes; deleted by the worker when the job ends. */
export function searchImageRedisKey(jobId: string, prefix: string): string {
  return `${prefix}:${SEARCH_FACES_QUEUE}:image:${jobId}`;
}

/** AWS's default FaceMatchThreshold: what Rekognition itself calls a match. */
export const DEFAULT_SEARCH_THRESHOLD = 80;
/** A duplicate check wants the few closest faces, not a page of the gallery. */
export const DEFAULT_MAX_MATCHES = 10;

/** SearchFacesByImage takes at most 5 MB of `Image.Bytes` (15 MB only for S3 objects). */
export const SEARCH_IMAGE_MAX_BYTES = 5 * 1024 * 1024;

export const searchFacesJobSchema = z.object({
  ...tenancyFields,
  requestId: z.string().min(1),
  subject: z.string(),
  /** Redis key holding the probe's decoded bytes. */
  imageKey: z.string().min(1),
  contentType: z.enum(IMAGE_CONTENT_TYPES),
  /** Smallest similarity (0-100) a match must reach. */
  threshold: z.number().min(0).max(100),
  maxMatches: z.number().int().min(1).max(100),
  /** sha256 of the request: a replay under the same Idempotency-Key with another digest is refused (apps/api jobs/idempotency.ts). */
  requestDigest: z.string().optional(),
});
export type SearchFacesJob = z.infer<typeof searchFacesJobSchema>;

export interface SearchedFace {
  bounding_box: BoundingBox;
  confidence: number;
}

export type SearchFacesOutcome =
  | { status: "searched"; data: { matches: FaceMatch[]; searched_face: SearchedFace } }
  /** The probe has no (usable) face, so there is nothing to search with. */
  | { status: "no_face"; message: string }
  | FailedOutcome;
