/**
 * Parks the decoded image in Redis and adds the index-faces job. The image key doubles as a claim on
 * the request id (SET NX), so a caller reusing an id (theirs or someone else's) cannot attach to
 * another request's job.
 */
import type { Redis } from "ioredis";
import type { Queue } from "bullmq";
import {
  IMAGE_TTL_SECONDS,
  INDEX_FACES_QUEUE,
  imageRedisKey,
  indexFacesJobOptions,
  type IndexFacesJob,
} from "@faceindex/contracts";
import { ConflictError, ServiceUnavailableError } from "./errors.ts";

export interface EnqueueDeps {
  redis: Pick<Redis, "set" | "del">;
  queue: Pick<Queue, "add" | "getJob">;
  /** The queue's key prefix; the parked image lives under the same one (same cluster slot). */
  prefix: string;
}

export type JobFields = Omit<IndexFacesJob, "requestId" | "imageKey">;

export async function enqueueIndexFaces(deps: EnqueueDeps, jobId: string, bytes: Buffer, fields: JobFields): Promise<void> {
  const imageKey = imageRedisKey(jobId, deps.prefix);
  const claimed = await unavailableOnError(() => deps.redis.set(imageKey, bytes, "EX", IMAGE_TTL_SECONDS, "NX"));
  if (claimed !== "OK") throw duplicateId();
  try {
    // A finished job's image is already deleted, so the claim above cannot see it: ask the queue.
    if (await deps.queue.getJob(jobId)) throw duplicateId();
    const job: IndexFacesJob = { ...fields, requestId: jobId, imageKey };
    await deps.queue.add(INDEX_FACES_QUEUE, job, { ...indexFacesJobOptions, jobId });
  } catch (error) {
    await deps.redis.del(imageKey).catch(() => undefined);
    if (error instanceof ConflictError) throw error;
    throw new ServiceUnavailableError("The job queue is unavailable; try again shortly");
  }
}

async function unavailableOnError<T>(command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch {
    throw new ServiceUnavailableError("The job queue is unavailable; try again shortly");
  }
}

function duplicateId(): ConflictError {
  return new ConflictError("DUPLICATE_REQUEST_ID", "X-Request-Id was already used; send a new one or none");
}
