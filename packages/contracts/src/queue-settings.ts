/** What every job kind's queue shares: the key prefix, the retry and retention policy, the parked-image TTL. */
import type { BackoffOptions, JobsOptions } from "bullmq";

/**
 * BullMQ key prefix. The braces are a Redis Cluster hash tag: every key of the queue and every stored
 * image lands in the same slot, so BullMQ's multi-key scripts and our own keys work on a cluster.
 */
export const QUEUE_PREFIX = "{faceindex}";

/** The API's default synchronous wait (its SYNC_TIMEOUT_MS). */
export const DEFAULT_SYNC_TIMEOUT_MS = 30_000;
/** Attempts of every job: a blip, a restart and a longer outage each get a try. */
export const JOB_ATTEMPTS = 5;

// Half the wait for sleeping between attempts, half for running them (an IndexFaces can take seconds under load).
const BACKOFF_SHARE_OF_WAIT = 0.5;
// BullMQ draws each delay from [1 - jitter, 1] of its slot, so jobs that failed together (a server died
// under them) do not all come back in the same millisecond.
const BACKOFF_JITTER = 0.5;

/**
 * The retry schedule of a job with `attempts` attempts inside a wait of `syncTimeoutMs`: delays doubling
 * (a blip is retried within a second, a restart gets the later, longer gaps) and summing to at most half
 * the wait (1, 2, 4, 8 s at most for 30 s and 5 attempts), so an S3 or Rekognition restart of a few
 * seconds is ridden out and the request still gets its 200, while the last attempt still ends (with a
 * retryable failure at worst) before the wait does: the caller hears 503 + Retry-After, not 504.
 * BullMQ's own exponential strategy, so any worker honours it.
 */
export function spreadRetryBackoff(syncTimeoutMs: number, attempts: number): BackoffOptions {
  const retries = Math.max(1, attempts - 1);
  // delay * (1 + 2 + ... + 2^(retries-1)) = delay * (2^retries - 1) = the share of the wait.
  const delay = Math.round((syncTimeoutMs * BACKOFF_SHARE_OF_WAIT) / (2 ** retries - 1));
  return { type: "exponential", delay, jitter: BACKOFF_JITTER };
}

/**
 * Retries are for transient AWS errors (throttling, 5xx, network) and a busy per-person lock, spread over
 * the default wait; the API re-spreads them over its own SYNC_TIMEOUT_MS when it enqueues.
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: JOB_ATTEMPTS,
  backoff: spreadRetryBackoff(DEFAULT_SYNC_TIMEOUT_MS, JOB_ATTEMPTS),
  // Keep finished jobs for a while instead of removing them at once: removeOnComplete: true makes
  // waitUntilFinished report some successful jobs as failed, and a client that timed out (504) must
  // still be able to fetch the outcome.
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** How long the parked image bytes live: longer than any job can take, short enough not to pile up. */
export const IMAGE_TTL_SECONDS = 15 * 60;
