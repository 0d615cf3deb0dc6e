/**
 * Which job answered which request: `GET /jobs/:request_id` accepts the X-Request-Id a client saw on
 * its 504 (or any attempt of it), so the API remembers request id -> job id for at most as long as
 * BullMQ keeps the finished job (requestJobTtlSeconds). Keys are per tenant and subject, so one caller's
 * ids can never shadow another's. One key space for every kind of job (index, delete, search; the name's
 * "index-faces" part predates the others).
 */
import { createHash } from "node:crypto";
import type { JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import { INDEX_FACES_QUEUE } from "@faceindex/contracts";
import type { JobOwner } from "./job-owner.ts";

/** Long enough to come back after a 504 or a lost client; the job's own retention may cut it shorter. */
const MAX_REQUEST_JOB_TTL_SECONDS = 24 * 3600;

/**
 * The key's TTL: at most the shorter retention age of the kind's finished jobs (completed or failed,
 * not known yet when the key is set). Ages count from the job's end and the TTL from before the job
 * is added, so such a key always expires before its job ages out. Retention by count
 * (removeOnComplete.count) cannot be followed this cheaply: BullMQ drops the oldest jobs whenever
 * others finish, at a time set by throughput, and shortening keys then would cost a write per job for
 * a rare lookup. A key that outlives its job that way answers 404 JOB_NOT_FOUND (there is nothing left
 * to serve) and expires by its TTL.
 */
export function requestJobTtlSeconds(jobOptions: Pick<JobsOptions, "removeOnComplete" | "removeOnFail">): number {
  const ages = [jobOptions.removeOnComplete, jobOptions.removeOnFail].flatMap((keep) =>
    typeof keep === "object" && "age" in keep ? [keep.age] : [],
  );
  // SET EX refuses 0: an age of 0 (jobs dropped at once) still gets the shortest valid TTL.
  return Math.max(1, Math.min(MAX_REQUEST_JOB_TTL_SECONDS, ...ages));
}

export function requestJobKey(prefix: string, owner: JobOwner, requestId: string): string {
  const hash = createHash("sha256")
    .update(owner.tenant)
    .update("\0")
    .update(owner.subject)
    .update("\0")
    .update(requestId)
    .digest("hex")
    .slice(0, 40);
  return `${prefix}:${INDEX_FACES_QUEUE}:request:${hash}`;
}

export async function rememberRequestJob(
  redis: Pick<Redis, "set">,
  prefix: string,
  owner: JobOwner,
  requestId: string,
  jobId: string,
  ttlSeconds: number,
): Promise<void> {
  await redis.set(requestJobKey(prefix, owner, requestId), jobId, "EX", ttlSeconds);
}

/** Undoes rememberRequestJob for a request that was refused before it had a job. */
export async function forgetRequestJob(
  redis: Pick<Redis, "del">,
  prefix: string,
  owner: JobOwner,
  requestId: string,
): Promise<void> {
  await redis.del(requestJobKey(prefix, owner, requestId));
}

/** The job id a request id of this owner was answered with; undefined when unknown. */
export async function jobIdOfRequest(
  redis: Pick<Redis, "get">,
  prefix: string,
  owner: JobOwner,
  requestId: string,
): Promise<string | undefined> {
  return (await redis.get(requestJobKey(prefix, owner, requestId))) ?? undefined;
}
