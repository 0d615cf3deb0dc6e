/**
 * Enqueues a job at most once per job id (see idempotency.ts), for every job kind (lanes.ts): a
 * replay attaches to the job already queued or running, or finds its stored outcome, instead of running
 * it again. Where the job parks bytes in Redis (index, search), that SET NX is the claim: of two
 * identical requests racing, only the one that parked adds the job (the key holds the request's digest,
 * so a different request under the same id never overwrites it). BullMQ's add of an existing id is a
 * no-op, so the job is read back after adding: it tells whether it is ours.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Job } from "bullmq";
import type { Redis } from "ioredis";
import { IMAGE_TTL_SECONDS, JOBS, spreadRetryBackoff } from "@faceindex/contracts";
import type { MemoryGuard } from "../admission/memory-guard.ts";
import { ConflictError, ServiceUnavailableError } from "../http/errors.ts";
import { idMayNameAnotherRequest } from "./idempotency.ts";
import { ownedBy } from "./job-owner.ts";
import type { Lane } from "./lanes.ts";
import { unavailableOnError } from "./unavailable-on-error.ts";

export interface SubmitJobDeps {
  redis: Pick<Redis, "set" | "del">;
  /** Refuses to park NEW bytes when Redis is near its maxmemory; replays of existing jobs are always served. */
  memory: Pick<MemoryGuard, "check">;
  /** The request's wait (SYNC_TIMEOUT_MS): the job's retries are spread over it (spreadRetryBackoff). */
  syncTimeoutMs?: number;
}

export interface Submission {
  jobId: string;
  /** The job's payload; its owner (tenant, subject) and `requestDigest` tell a replay from a reused Idempotency-Key. */
  data: { tenant: string; subject: string; requestDigest?: string };
  /** Bytes the worker reads from Redis under `key`. */
  parked?: { key: string; bytes: Buffer };
  /** True when an existing job's stored outcome no longer holds (e.g. its face was erased): run it afresh. */
  outdated?: (job: Job) => Promise<boolean>;
}

// A racing twin parks its image and adds the job within milliseconds; if no job shows up in this
// long, that request died in between, and this one adds the job itself.
const TWIN_WAIT_MS = 1_000;
const TWIN_POLL_MS = 50;

/** "enqueued" when this call added the job, "attached" when it joins an existing one. */
export async function submitJob(
  deps: SubmitJobDeps,
  target: Pick<Lane, "kind" | "queue" | "backlog">,
  submission: Submission,
): Promise<"enqueued" | "attached"> {
  const { redis } = deps;
  const { queueName, jobOptions } = JOBS[target.kind];
  const { jobId, parked } = submission;
  const existing = await unavailableOnError(() => target.queue.getJob(jobId));
  if (existing) {
    checkSameRequest(existing, submission);
    const { outdated } = submission;
    const stale = outdated ? await unavailableOnError(() => outdated(existing)) : false;
    if (!endedRetryably(existing) && !stale) return "attached";
    // The replay asks for another try of a job that gave up on a transient error, or whose outcome
    // no longer holds: start it afresh.
    await existing.remove().catch(() => undefined);
  }
  await target.backlog.check();
  if (parked) {
    await deps.memory.check();
    const claimed = await parkOrForget(redis, parked, () =>
      redis.set(parked.key, parked.bytes, "EX", IMAGE_TTL_SECONDS, "NX"),
    );
    if (claimed !== "OK") {
      const twin = await waitForJob(target, jobId);
      if (twin) {
        checkSameRequest(twin, submission);
        return "attached";
      }
      await parkOrForget(redis, parked, () => redis.set(parked.key, parked.bytes, "EX", IMAGE_TTL_SECONDS));
    }
  }
  try {
    // Adding an existing id is a no-op in BullMQ, so even a lost race cannot create a second job.
    const backoff =
      deps.syncTimeoutMs === undefined
        ? jobOptions.backoff
        : spreadRetryBackoff(deps.syncTimeoutMs, jobOptions.attempts ?? 1);
    await target.queue.add(queueName, submission.data, { ...jobOptions, backoff, jobId });
  } catch {
    if (parked) await redis.del(parked.key).catch(() => undefined);
    throw new ServiceUnavailableError("The job queue is unavailable; try again shortly");
  }
  // A twin with the same id (a reused Idempotency-Key with another body) may have added its job first,
  // making ours the no-op: read the job back, so we never wait on, or answer with, someone else's job.
  // Only a keyed id can be such a twin's; any other saves the round trip.
  if (!idMayNameAnotherRequest(jobId)) return "enqueued";
  const added = await unavailableOnError(() => target.queue.getJob(jobId));
  if (added) {
    try {
      checkSameRequest(added, submission);
    } catch (error) {
      if (parked) await redis.del(parked.key).catch(() => undefined);
      throw error;
    }
  }
  return "enqueued";
}

/**
 * Runs the SET that parks the bytes; when it fails or times out (503), deletes the key: a timed-out SET may
 * still run once Redis gets to it, and no job would ever free those bytes (they would sit out the image
 * TTL). The DEL goes on the same connection, so Redis runs it after the SET. A twin request racing this very
 * one could lose its bytes this way; its job then ends IMAGE_EXPIRED, which a replay runs afresh.
 */
async function parkOrForget<T>(redis: Pick<Redis, "del">, parked: { key: string }, set: () => Promise<T>): Promise<T> {
  try {
    return await set();
  } catch {
    await redis.del(parked.key).catch(() => undefined);
    throw new ServiceUnavailableError("The job queue is unavailable; try again shortly");
  }
}

function checkSameRequest(job: Pick<Job, "data">, submission: Submission): void {
  const data = job.data as Partial<Submission["data"]>;
  if (!ownedBy(data, submission.data) || data.requestDigest !== submission.data.requestDigest) {
    throw new ConflictError(
      "IDEMPOTENCY_KEY_REUSED",
      "Idempotency-Key was already used for a different request; use a new key for a new request",
    );
  }
}

/** Failed for good, or an outcome that says a later try may succeed (throttling, expired upload). */
function endedRetryably(job: Pick<Job, "finishedOn" | "returnvalue">): boolean {
  if (!job.finishedOn) return false;
  // Every kind's outcome shares the one failed shape (FailedOutcome in the contracts).
  const outcome = job.returnvalue as { status: string; code?: string; retryable?: boolean } | null;
  if (!outcome) return true;
  return outcome.status === "failed" && (outcome.retryable === true || outcome.code === "IMAGE_EXPIRED");
}

async function waitForJob(target: Pick<Lane, "queue">, jobId: string): Promise<Job | undefined> {
  for (let waited = 0; waited < TWIN_WAIT_MS; waited += TWIN_POLL_MS) {
    await sleep(TWIN_POLL_MS);
    const job = await unavailableOnError(() => target.queue.getJob(jobId));
    if (job) return job;
  }
  return undefined;
}
