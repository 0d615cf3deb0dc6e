/**
 * Which job answered which request: `GET /jobs/:request_id` accepts the X-Request-Id a client saw on
 * its 504 (or any attempt of it), so the API remembers request id -> job id for as long as BullMQ
 * keeps the finished job. Keys are per subject, so one caller's ids can never shadow another's. One key
 * space for every kind of job (index, delete, search; the name's "index-faces" part predates the others).
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { INDEX_FACES_QUEUE } from "@faceindex/contracts";

/** As long as finished jobs are kept (removeOnComplete age in the contract): past that there is nothing to find. */
export const REQUEST_JOB_TTL_SECONDS = 24 * 3600;

export function requestJobKey(prefix: string, subject: string, requestId: string): string {
  const hash = createHash("sha256").update(subject).update("\0").update(requestId).digest("hex").slice(0, 40);
  return `${prefix}:${INDEX_FACES_QUEUE}:request:${hash}`;
}

export async function rememberRequestJob(
  redis: Pick<Redis, "set">,
  prefix: string,
  subject: string,
  requestId: string,
  jobId: string,
): Promise<void> {
  await redis.set(requestJobKey(prefix, subject, requestId), jobId, "EX", REQUEST_JOB_TTL_SECONDS);
}

/** Undoes rememberRequestJob for a request that was refused before it had a job. */
export async function forgetRequestJob(redis: Pick<Redis, "del">, prefix: string, subject: string, requestId: string): Promise<void> {
  await redis.del(requestJobKey(prefix, subject, requestId));
}

/** The job id a request id of this subject was answered with; undefined when unknown. */
export async function jobIdOfRequest(
  redis: Pick<Redis, "get">,
  prefix: string,
  subject: string,
  requestId: string,
): Promise<string | undefined> {
  return (await redis.get(requestJobKey(prefix, subject, requestId))) ?? undefined;
}
