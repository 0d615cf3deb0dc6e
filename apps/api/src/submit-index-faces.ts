/**
 * Enqueues an index-faces job at most once per job id (see idempotency.ts): a replay attaches to the
 * job already queued or running, or finds its stored outcome, instead of indexing again. The parked
 * image (SET NX) is the claim: of two identical requests racing, only the one that parked adds the job.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Job, Queue } from "bullmq";
import type { Redis } from "ioredis";
import {
  IMAGE_TTL_SECONDS,
  INDEX_FACES_QUEUE,
  imageRedisKey,
  indexFacesJobOptions,
  type IndexFacesJob,
  type IndexFacesOutcome,
} from "@faceindex/contracts";
import type { BacklogGuard } from "./backlog-guard.ts";
import { ConflictError, ServiceUnavailableError } from "./errors.ts";

export interface SubmitDeps {
  redis: Pick<Redis, "set" | "del">;
  queue: Pick<Queue, "add" | "getJob">;
  /** The queue's key prefix; the parked image lives under the same one (same cluster slot). */
  prefix: string;
  /** Refuses NEW jobs when the backlog is too long; replays of existing jobs are always served. */
  backlog?: Pick<BacklogGuard, "check">;
}

export interface Submission {
  jobId: string;
  requestDigest: string;
  bytes: Buffer;
  fields: Omit<IndexFacesJob, "requestId" | "imageKey" | "requestDigest">;
}

// A racing twin parks its image and adds the job within milliseconds; if no job shows up in this
// long, that request died in between, and this one adds the job itself.
const TWIN_WAIT_MS = 1_000;
const TWIN_POLL_MS = 50;

/** "enqueued" when this call added the job, "attached" when it joins an existing one. */
export async function submitIndexFaces(deps: SubmitDeps, submission: Submission): Promise<"enqueued" | "attached"> {
  const { jobId } = submission;
  const existing = await unavailableOnError(() => deps.queue.getJob(jobId));
  if (existing) {
    checkSameRequest(existing, submission);
    if (!endedRetryably(existing)) return "attached";
    // The replay asks for another try of a job that gave up on a transient error: start it afresh.
    await existing.remove().catch(() => undefined);
  }
  await deps.backlog?.check();
  const imageKey = imageRedisKey(jobId, deps.prefix);
  const parked = await unavailableOnError(() => deps.redis.set(imageKey, submission.bytes, "EX", IMAGE_TTL_SECONDS, "NX"));
  if (parked !== "OK") {
    const twin = await waitForJob(deps, jobId);
    if (twin) {
      checkSameRequest(twin, submission);
      return "attached";
    }
    await unavailableOnError(() => deps.redis.set(imageKey, submission.bytes, "EX", IMAGE_TTL_SECONDS));
  }
  const job: IndexFacesJob = { ...submission.fields, requestId: jobId, imageKey, requestDigest: submission.requestDigest };
  try {
    // Adding an existing id is a no-op in BullMQ, so even a lost race cannot create a second job.
    await deps.queue.add(INDEX_FACES_QUEUE, job, { ...indexFacesJobOptions, jobId });
  } catch {
    await deps.redis.del(imageKey).catch(() => undefined);
    throw new ServiceUnavailableError("The job queue is unavailable; try again shortly");
  }
  return "enqueued";
}

function checkSameRequest(job: Pick<Job, "data">, submission: Submission): void {
  const data = job.data as Partial<IndexFacesJob>;
  if (data.subject !== submission.fields.subject || data.requestDigest !== submission.requestDigest) {
    throw new ConflictError(
      "IDEMPOTENCY_KEY_REUSED",
      "Idempotency-Key was already used for a different request; use a new key for a new request",
    );
  }
}

/** Failed for good, or an outcome that says a later try may succeed (throttling, expired upload). */
function endedRetryably(job: Pick<Job, "finishedOn" | "returnvalue" | "failedReason">): boolean {
  if (!job.finishedOn) return false;
  const outcome = job.returnvalue as IndexFacesOutcome | null;
  if (!outcome) return true;
  return outcome.status === "failed" && (outcome.retryable || outcome.code === "IMAGE_EXPIRED");
}

async function waitForJob(deps: SubmitDeps, jobId: string): Promise<Job | undefined> {
  for (let waited = 0; waited < TWIN_WAIT_MS; waited += TWIN_POLL_MS) {
    await sleep(TWIN_POLL_MS);
    const job = await unavailableOnError(() => deps.queue.getJob(jobId));
    if (job) return job;
  }
  return undefined;
}

async function unavailableOnError<T>(command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch {
    throw new ServiceUnavailableError("The job queue is unavailable; try again shortly");
  }
}
