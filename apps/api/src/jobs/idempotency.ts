/**
 * Job ids that make replays idempotent. A client that timed out and sends the request again must land
 * on the job already running (or its stored outcome), never index a second time, so the job id is
 * derived from the request instead of drawn at random:
 *
 * - with an `Idempotency-Key` header: hash(subject, key). The key is the client's promise that the
 *   request is the same; a replay whose body differs is refused (the stored digest does not match).
 * - without one: hash(subject, request digest), the digest covering every field and the image bytes.
 *   Two requests with identical fields and bytes are the same request (indexing them twice could
 *   only produce a duplicate: Rekognition itself returns the stored face for the same bytes and
 *   ExternalImageId); change any field (max_faces, image_key, ...) and it is a new request. Once the
 *   face of the stored outcome has been erased, the same request is a new enrolment (erased-face.ts).
 *
 * Deletes and searches take the header too (a retried erasure must get the first one's outcome, not
 * FACE_NOT_FOUND); without it each request is its own job (freshJobId).
 *
 * Scoped to the tenant, the token's subject and the queue: another caller (or the same subject in another
 * tenant) with the same key or body gets another job.
 * X-Request-Id stays a per-HTTP-request tracing id and plays no part here.
 */
import { createHash, randomUUID } from "node:crypto";
import { BadRequestError } from "../http/errors.ts";
import type { JobOwner } from "./job-owner.ts";

// RFC-draft keys are opaque strings; printable ASCII up to 255 covers UUIDs, ULIDs and hashes.
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
// 160 bits of sha256: collisions are out of reach, and the id stays short in Redis keys and logs.
const ID_HEX_CHARS = 40;

/** The header's value, undefined when absent, or a 400 when it is not a sane key. */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== "string" || !IDEMPOTENCY_KEY.test(header)) {
    throw new BadRequestError(
      "INVALID_IDEMPOTENCY_KEY",
      "Idempotency-Key must be one header of 1-255 printable ASCII characters (e.g. a UUID)",
    );
  }
  return header;
}

/** sha256 of the image bytes: part of the request digest, and the hash the worker's S3 PUT is signed with. */
export function imageSha256(imageBytes: Buffer): Buffer {
  return createHash("sha256").update(imageBytes).digest();
}

const NO_IMAGE_SHA256 = imageSha256(Buffer.alloc(0));

/** sha256 over the job's fields (in a fixed order) and the image's sha256 (of no bytes for a delete). */
export function requestDigest(fields: Record<string, unknown>, imageHash: Buffer = NO_IMAGE_SHA256): string {
  const canonical = JSON.stringify(
    Object.keys(fields)
      .sort()
      .map((name) => [name, fields[name] ?? null]),
  );
  return createHash("sha256").update(canonical).update("\0").update(imageHash).digest("hex");
}

/**
 * The BullMQ job id: no ':' and not all digits, as BullMQ requires for custom ids. The queue's name is
 * part of the hash, so one key sent to two routes names two jobs, and GET /jobs can never confuse them.
 */
export function jobIdFor(
  queueName: string,
  owner: JobOwner,
  idempotencyKey: string | undefined,
  digest: string,
): string {
  const [kind, secret] = idempotencyKey === undefined ? ["rq", digest] : ["ik", idempotencyKey];
  const hash = createHash("sha256")
    .update(queueName)
    .update("\0")
    .update(owner.tenant)
    .update("\0")
    .update(owner.subject)
    .update("\0")
    .update(kind)
    .update("\0")
    .update(secret)
    .digest("hex");
  return `${kind}-${hash.slice(0, ID_HEX_CHARS)}`;
}

/**
 * The job id of a request that is never the same as another: a delete or search without an
 * Idempotency-Key. Deriving it from the body would be wrong there: the same erasure sent a day later
 * (after a re-enrolment) must delete again, and the same probe must search the gallery as it is now.
 */
export function freshJobId(): string {
  return `rn-${randomUUID().replaceAll("-", "")}`;
}

/**
 * Whether two different requests can share this job id: only under an Idempotency-Key (the client's word,
 * which a reused key breaks). An id derived from the digest names exactly one request, and a fresh id none
 * other, so a job found under either is this request's without reading it back.
 */
export function idMayNameAnotherRequest(jobId: string): boolean {
  return jobId.startsWith("ik-");
}

const JOB_ID = new RegExp(`^(?:(?:rq|ik)-[0-9a-f]{${ID_HEX_CHARS}}|rn-[0-9a-f]{32})$`);

/**
 * Whether `id` has the shape of a job id this API names (jobIdFor, freshJobId). BullMQ keeps its own keys
 * beside the jobs (events, id, meta, stalled-check, ...), so any other name must never be read as a job.
 */
export function isJobId(id: string): boolean {
  return JOB_ID.test(id);
}
