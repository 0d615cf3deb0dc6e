/**
 * Whether the stored outcome of a finished index-faces job no longer holds because its face was erased
 * since (delete_faces_from_collection removes it from the gallery mapping the worker keeps; see
 * gallery-keys.ts in the contract). A request without Idempotency-Key is matched to such a job by its
 * fields and bytes only, so without this check a re-enrolment after an erasure would be answered with
 * the erased face_id, and nothing would be indexed.
 */
import type { Job } from "bullmq";
import type { Redis } from "ioredis";
import { externalIdKey, type IndexFacesJob, type IndexFacesOutcome } from "@faceindex/contracts";

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
