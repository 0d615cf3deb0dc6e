/**
 * Whether the stored outcome of a finished index-faces job no longer holds because its face was erased
 * since (delete_faces_from_collection removes it from the gallery mapping the worker keeps; see
 * gallery-keys.ts in the contract). A request without Idempotency-Key is matched to such a job by its
 * fields and bytes only, so without this check a re-enrolment after an erasure would be answered with
 * the erased face_id, and nothing would be indexed.
 */
import type { Job } from "bullmq";
import type { Redis } from "ioredis";
import { externalIdKey, facesKey, type IndexFacesJob, type IndexFacesOutcome } from "@faceindex/contracts";

export async function indexedFaceErased(
  redis: Pick<Redis, "hexists">,
  prefix: string,
  job: Pick<Job, "finishedOn" | "returnvalue" | "data">,
): Promise<boolean> {
  const outcome = job.returnvalue as IndexFacesOutcome | null | undefined;
  if (!job.finishedOn || outcome?.status !== "indexed") return false;
  const { bucket, externalImageId } = job.data as IndexFacesJob;
  // A delete removes every face of the (bucket, external id), so the first face tells.
  const key = externalIdKey(prefix, outcome.data.collection_id, bucket, externalImageId);
  return (await redis.hexists(key, outcome.data.face_id)) === 0;
}

/**
 * Whether the stored `duplicate` outcome (dedupe "reject") of a finished index-faces job no longer
 * holds because the other people's faces that refused it were erased since: the same keyless request
 * is then a new enrolment, as above, and must be checked (and indexed) afresh.
 */
export async function duplicatesErased(
  redis: Pick<Redis, "hmget">,
  prefix: string,
  collectionId: string,
  job: Pick<Job, "finishedOn" | "returnvalue">,
): Promise<boolean> {
  const outcome = job.returnvalue as IndexFacesOutcome | null | undefined;
  if (!job.finishedOn || outcome?.status !== "duplicate" || outcome.duplicates.length === 0) return false;
  // A match the mapping did not know when the job ran (bucket null) cannot be erased through
  // delete_faces_from_collection, which finds faces by the mapping: it still refuses the enrolment.
  if (outcome.duplicates.some((match) => match.bucket === null)) return false;
  // A delete removes a face from both views of the mapping; the per-collection one needs one command.
  const remaining = await redis.hmget(
    facesKey(prefix, collectionId),
    ...outcome.duplicates.map((match) => match.face_id),
  );
  // One face left is still a duplicate, so the stored 409 holds while any remains.
  return remaining.every((face) => face === null);
}
