/**
 * What the route schemas cannot say about each operation, for the OpenAPI document (api-docs.ts): its
 * summary, the scope its token needs, the README's request example, and every status it answers with and
 * when. Keyed by `METHOD path` as Fastify registers the route. A route missing here is still documented
 * from its schemas; the docs test fails until it is added, so a new route is never undocumented.
 */

/** The token scopes (auth/): one per kind of access, so a client gets only what it does. */
export const SCOPES = {
  "faces:index": "Enrol faces: POST /index_faces.",
  "faces:search": "Search the gallery by photo: POST /search_faces.",
  "faces:delete": "Erase a person's faces (and images): POST /delete_faces_from_collection.",
  "jobs:read": "Read the outcome of one's own earlier request: GET /jobs/{request_id}.",
  "audit:read": "Read the audit trail of who enrolled, searched and erased.",
} as const;

export type Scope = keyof typeof SCOPES;

export interface OperationDoc {
  summary: string;
  tag: "faces" | "jobs" | "health";
  /** The scope the route requires; absent for the unauthenticated probes. */
  scope?: Scope;
  /** A request body as the README sends it (the image shortened: send a whole base64 JPEG or PNG). */
  example?: Record<string, unknown>;
  /** Every status beyond the success ones in the route's schema, with when it is sent. */
  errors: Partial<Record<ErrorStatus, string>>;
}

export type ErrorStatus = "400" | "401" | "403" | "404" | "409" | "413" | "415" | "500" | "503" | "504";

/** A base64 JPEG's first bytes: the example shows the field's shape, a real call sends the whole image. */
const IMAGE = "/9j/4AAQSkZJRgABAQAAAQABAAD...";

const AUTH_ERRORS = {
  "401": "Missing, malformed, expired or wrongly signed bearer token (`{detail, message}`).",
  "403": "The token is valid but lacks this operation's scope (`{msg, code}`).",
} as const;

/** What every job-backed POST shares: input, body size, content type, back-pressure and the synchronous wait. */
const JOB_ERRORS = {
  ...AUTH_ERRORS,
  "409": "An `Idempotency-Key` reused with another body (`IDEMPOTENCY_KEY_REUSED`).",
  "413": "The body is larger than the image limit allows (`PAYLOAD_TOO_LARGE`).",
  "415": "The body is not `application/json` (`UNSUPPORTED_MEDIA_TYPE`).",
  "500": "An unexpected error; details are in the API's log under the request id (`INTERNAL`).",
  "503":
    "Backlog too large, Redis unreachable or too full, or too many requests in flight: retry after `Retry-After` seconds.",
  "504":
    "No outcome within `SYNC_TIMEOUT_MS`; the job keeps running: `GET /jobs/{job_id}` has it later (`{msg, code, request_id, job_id}`).",
} as const;

export const OPERATIONS: Record<string, OperationDoc> = {
  "POST /index_faces": {
    summary: "Enrol a face: store the image in S3 and index its face in the collection",
    tag: "faces",
    scope: "faces:index",
    example: {
      image: IMAGE,
      bucket: "faceindex-local",
      image_key: "selfies/obama.jpg",
      external_image_id: "user-42",
      dedupe: "flag",
      quality_gate: "enforce",
    },
    errors: {
      ...JOB_ERRORS,
      "400":
        "Invalid body (the `msg` names the field), no face indexed (`NO_FACE_INDEXED`, with Rekognition's reasons), " +
        "a capture refused by the quality gate (`QUALITY_REJECTED`, with `reasons` such as `EYES_CLOSED`, `FACE_OCCLUDED`, " +
        "`EXTREME_POSE`, `LOW_SHARPNESS`, `LOW_BRIGHTNESS` and the measured `face`), or an AWS or processing error.",
      "409":
        'With `dedupe: "reject"`, the face is already enrolled under another id (`DUPLICATE_FACE`, with `duplicates`); or an `Idempotency-Key` reused with another body (`IDEMPOTENCY_KEY_REUSED`).',
    },
  },
  "POST /search_faces": {
    summary: "Search the gallery by photo (the probe is never stored)",
    tag: "faces",
    scope: "faces:search",
    example: { image: IMAGE, threshold: 90, max_matches: 10 },
    errors: {
      ...JOB_ERRORS,
      "400": "Invalid body, no face in the probe (`NO_FACE_FOUND`), or an AWS or processing error.",
      "413": "The probe is larger than 5 MB (SearchFacesByImage's limit for bytes) or the body than the image limit.",
    },
  },
  "POST /delete_faces_from_collection": {
    summary: "Erase a person: every face indexed under an external id for a bucket, and the images if asked",
    tag: "faces",
    scope: "faces:delete",
    example: { bucket: "faceindex-local", external_image_id: "user-42", delete_image: true },
    errors: {
      ...JOB_ERRORS,
      "400": "Invalid body, an unknown external id (`FACE_NOT_FOUND`), or an AWS error.",
    },
  },
  "GET /jobs/{request_id}": {
    summary: "The outcome of an earlier request (after a 504 or a client that went away)",
    tag: "jobs",
    scope: "jobs:read",
    errors: {
      ...AUTH_ERRORS,
      "400":
        "The stored outcome was a 400 (as the POST route would have answered it, `QUALITY_REJECTED` included), or an invalid request id.",
      "404": "No job for this id, or not the caller's (`JOB_NOT_FOUND`).",
      "409": "The stored outcome was a 409 (`DUPLICATE_FACE`).",
      "500": "The job failed for good or returned no outcome (`INTERNAL`, `PROCESSING_FAILED`).",
      "503": "The job store (Redis) is unavailable; retry shortly.",
    },
  },
  "GET /audit": {
    summary: "The audit trail of one person (external_image_id) in the caller's tenant, newest first, paged",
    tag: "jobs",
    scope: "audit:read",
    errors: {
      ...AUTH_ERRORS,
      "400": "A missing external_image_id, or an invalid limit or cursor (`INVALID_LIMIT`, `INVALID_CURSOR`).",
      "503": "The audit store (Redis) is unavailable; retry shortly.",
    },
  },
  "GET /healthz": { summary: "Liveness: the process answers", tag: "health", errors: {} },
  "GET /readyz": {
    summary: "Readiness: Redis answers a ping within 1 s",
    tag: "health",
    errors: { "503": "Redis is not reachable (`{status, msg}`)." },
  },
};
