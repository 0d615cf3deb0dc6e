/**
 * The index-faces job contract shared by the API (producer) and the worker (consumer).
 *
 * The image never travels inside the job's JSON: the API stores the decoded bytes under
 * `imageRedisKey(jobId, prefix)` with a TTL (IMAGE_TTL_SECONDS) and the job carries only that key and the small fields
 * (measured: 5x less CPU and ~30x less Redis memory than base64 in the job payload).
 */
import { z } from "zod";
import { jobTraceSchema } from "./job-trace.ts";
import { IMAGE_CONTENT_TYPES } from "@faceindex/common";
import type { BoundingBox, FaceMatch } from "./faces.ts";
import type { FailedOutcome } from "./failed-outcome.ts";
import { QUALITY_GATE_MODES, type QualityRejectedOutcome } from "./quality-gate.ts";
import { tenancyFields } from "./tenancy.ts";
import { QUEUE_PREFIX } from "./queue-settings.ts";

export const INDEX_FACES_QUEUE = "index-faces";

/** Where the API parks an image's bytes for the worker; deleted by the worker when the job ends. */
export function imageRedisKey(jobId: string, prefix: string = QUEUE_PREFIX): string {
  return `${prefix}:${INDEX_FACES_QUEUE}:image:${jobId}`;
}

export const QUALITY_FILTERS = ["NONE", "AUTO", "LOW", "MEDIUM", "HIGH"] as const;
export type QualityFilter = (typeof QUALITY_FILTERS)[number];

/** Duplicate check on enrol: off (the seed's behaviour), flag (index and report), reject (do not index). */
export const DEDUPE_MODES = ["off", "flag", "reject"] as const;
export type DedupeMode = (typeof DEDUPE_MODES)[number];
/**
 * Default similarity for a duplicate: same-person fixture pairs score 94.7-98.0 and the closest
 * strangers at most 41.2 (neural engine); 90 keeps false alarms rare while catching re-enrolments.
 */
export const DEFAULT_DEDUPE_THRESHOLD = 90;

export const indexFacesJobSchema = z.object({
  /** The BullMQ job id: derived from the caller and the request so a replay finds it (apps/api jobs/idempotency.ts). */
  ...tenancyFields,
  requestId: z.string().min(1),
  /** The submitting request, for the worker's logs (job-trace.ts). */
  trace: jobTraceSchema.optional(),
  /** JWT subject of the caller, so only they can read the outcome later. */
  subject: z.string(),
  /** Redis key holding the decoded image bytes. */
  imageKey: z.string().min(1),
  contentType: z.enum(IMAGE_CONTENT_TYPES),
  bucket: z.string().min(3).max(63),
  objectKey: z.string().min(1).max(1024),
  externalImageId: z.string().min(1).max(255),
  maxFaces: z.number().int().min(1).max(100),
  qualityFilter: z.enum(QUALITY_FILTERS),
  /** Optional, so jobs enqueued before the duplicate check existed stay valid; absent means "off". */
  dedupe: z.enum(DEDUPE_MODES).optional(),
  /** Absent means DEFAULT_DEDUPE_THRESHOLD. */
  dedupeThreshold: z.number().min(0).max(100).optional(),
  /** Optional like dedupe: absent means "off" (jobs enqueued before the quality gate existed stay valid). */
  qualityGate: z.enum(QUALITY_GATE_MODES).optional(),
  /**
   * sha256 of the request (its fields and image bytes): a replay under the same job id (same
   * Idempotency-Key) with another digest is a different request reusing the key, and is refused.
   */
  requestDigest: z.string().optional(),
  /**
   * sha256 (hex) of the parked image bytes, computed once by the API: the worker's S3 PUT signs it and
   * S3 verifies the stored bytes against it. Optional, so jobs enqueued before it existed stay valid.
   */
  imageSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type IndexFacesJob = z.infer<typeof indexFacesJobSchema>;

export interface IndexedFace {
  face_id: string;
  image_id: string;
  external_image_id: string;
  confidence: number;
  bounding_box: BoundingBox;
}

export interface UnindexedFace {
  /** Rekognition's reasons, e.g. EXCEEDS_MAX_FACES, LOW_CONFIDENCE, SMALL_BOUNDING_BOX. */
  reasons: string[];
  confidence: number;
  bounding_box: BoundingBox;
}

/** `data` of the 200 answer: the first (largest) indexed face, plus every record for callers that want them. */
export interface IndexedFaceData extends IndexedFace {
  collection_id: string;
  face_model_version: string;
  s3: { bucket: string; key: string; etag: string };
  indexed_faces: IndexedFace[];
  unindexed_faces: UnindexedFace[];
  /** Only with dedupe "flag": faces of OTHER external ids at or above the threshold (empty when none). */
  duplicates?: FaceMatch[];
}

/**
 * What the worker returns. Business outcomes travel as values (a failed job's error reaches a waiter
 * only as a message), so the API can map each to a precise HTTP answer.
 */
export type IndexFacesOutcome =
  | { status: "indexed"; data: IndexedFaceData }
  /** The image was stored and analysed, but no face was indexed (none found, or all filtered out). */
  | { status: "no_face"; message: string; unindexed_faces: UnindexedFace[] }
  /** dedupe "reject": the face already belongs to another external id, so nothing was indexed. */
  | { status: "duplicate"; message: string; duplicates: FaceMatch[] }
  /** qualityGate "enforce": the capture failed the quality gate (quality-gate.ts), so nothing was indexed. */
  | QualityRejectedOutcome
  | FailedOutcome;
