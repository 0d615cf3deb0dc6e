/**
 * A job that finds its person's lock held (LockBusyError: a delete or re-enrolment behind a slow
 * IndexFaces) waits for it without spending attempts: it is moved to BullMQ's delayed set and looks
 * again a moment later. Spending attempts instead would cover only the few seconds of the job's
 * backoff and end it `failed, retryable: true` behind any IndexFaces slower than that.
 *
 * Bounded so every job still ends with an outcome: once the job has waited maxWaitMs since it first
 * met the busy lock, LockBusyError is an ordinary transient error again (attempts with backoff, then a
 * `failed` outcome on the last one).
 */
import { DelayedError, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { LockBusyError } from "./lock-busy-error.ts";

export interface LockWaitOptions {
  /** Holds when each waiting job first met the busy lock (one small key per waiting job). */
  redis: Pick<Redis, "set" | "get">;
  /** The longest a job waits without spending attempts, from its first LockBusyError. */
  maxWaitMs: number;
}

// How soon a waiting job looks again: IndexFaces takes 1-3 s, and each look is one Redis SET NX.
const RETRY_DELAY_MS = 500;
// Longer than any job stays unfinished, so a job's wait is never restarted by its key expiring; short
// enough that keys of jobs removed while waiting do not pile up.
const WAIT_KEY_TTL_MS = 60 * 60 * 1_000;

export function createLockWait({ redis, maxWaitMs }: LockWaitOptions) {
  return async (
    error: unknown,
    job: Pick<Job, "id" | "timestamp" | "queueQualifiedName" | "moveToDelayed">,
    token: string | undefined,
  ): Promise<Error | undefined> => {
    // Without the job's lock token the move would not be checked against the lock, so it is not made.
    if (!(error instanceof LockBusyError) || token === undefined) return undefined;
    const startedWaiting = await firstWait(job);
    if (Date.now() - startedWaiting >= maxWaitMs) return undefined;
    await job.moveToDelayed(Date.now() + RETRY_DELAY_MS, token);
    // Tells the worker the job was moved on purpose: neither a failure nor an attempt.
    return new DelayedError(error.message);
  };

  /** When the job first met a busy lock; the key names the job's timestamp, so a re-added job id starts afresh. */
  async function firstWait(job: Pick<Job, "id" | "timestamp" | "queueQualifiedName">): Promise<number> {
    const key = `${job.queueQualifiedName}:lock-wait:${job.id}:${job.timestamp}`;
    const started = Date.now();
    if ((await redis.set(key, String(started), "PX", WAIT_KEY_TTL_MS, "NX")) === "OK") return started;
    return Number(await redis.get(key)) || started;
  }
}
