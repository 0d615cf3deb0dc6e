/**
 * Adds delete-faces and search-faces jobs, the way index-faces jobs were first added: the request id is
 * the job id, and a reused id is refused (409) rather than attached to another request's job. A search
 * parks its probe in Redis (SET NX doubles as the claim on the id); a delete carries no image.
 */
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import {
  DELETE_FACES_QUEUE,
  IMAGE_TTL_SECONDS,
  SEARCH_FACES_QUEUE,
  deleteFacesJobOptions,
  searchFacesJobOptions,
  searchImageRedisKey,
  type DeleteFacesJob,
  type SearchFacesJob,
} from "@faceindex/contracts";
import { ConflictError, ServiceUnavailableError } from "./errors.ts";

export type GalleryQueue = Pick<Queue, "add" | "getJob">;

export async function enqueueDeleteFaces(queue: GalleryQueue, jobId: string, fields: Omit<DeleteFacesJob, "requestId">): Promise<void> {
  if (await unavailableOnError(() => queue.getJob(jobId))) throw duplicateId();
  const job: DeleteFacesJob = { ...fields, requestId: jobId };
  await unavailableOnError(() => queue.add(DELETE_FACES_QUEUE, job, { ...deleteFacesJobOptions, jobId }));
}

export interface SearchEnqueueDeps {
  redis: Pick<Redis, "set" | "del">;
  queue: GalleryQueue;
  /** The queues' key prefix; the parked probe lives under the same one (same cluster slot). */
  prefix: string;
}

export async function enqueueSearchFaces(
  deps: SearchEnqueueDeps,
  jobId: string,
  bytes: Buffer,
  fields: Omit<SearchFacesJob, "requestId" | "imageKey">,
): Promise<void> {
  const imageKey = searchImageRedisKey(jobId, deps.prefix);
  const claimed = await unavailableOnError(() => deps.redis.set(imageKey, bytes, "EX", IMAGE_TTL_SECONDS, "NX"));
  if (claimed !== "OK") throw duplicateId();
  try {
    // A finished job's probe is already deleted, so the claim above cannot see it: ask the queue.
    if (await deps.queue.getJob(jobId)) throw duplicateId();
    const job: SearchFacesJob = { ...fields, requestId: jobId, imageKey };
    await deps.queue.add(SEARCH_FACES_QUEUE, job, { ...searchFacesJobOptions, jobId });
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
