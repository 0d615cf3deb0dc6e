/** What every job kind's queue shares: the key prefix, the retry and retention policy, the parked-image TTL. */
import type { JobsOptions } from "bullmq";

/**
 * BullMQ key prefix. The braces are a Redis Cluster hash tag: every key of the queue and every stored
 * image lands in the same slot, so BullMQ's multi-key scripts and our own keys work on a cluster.
 */
export const QUEUE_PREFIX = "{faceindex}";

/**
 * The worker's custom backoff (apps/worker/src/runtime/retry-backoff.ts): the delays between attempts are
 * spread over the API's synchronous wait (SYNC_TIMEOUT_MS), so a dependency's restart of a few seconds is
 * ridden out inside one request. A custom type because BullMQ's built-in ones cannot know that wait.
 */
export const RETRY_BACKOFF_TYPE = "spread-over-wait";

/**
 * Retries are for transient AWS errors (throttling, 5xx, network) and a busy per-person lock: five
 * attempts, their delays doubling and summing to at most half the API's wait (1, 2, 4, 8 s at most for
 * 30 s; drawn from each slot's upper half so workers do not retry in lockstep).
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: RETRY_BACKOFF_TYPE },
  // Keep finished jobs for a while instead of removing them at once: removeOnComplete: true makes
  // waitUntilFinished report some successful jobs as failed, and a client that timed out (504) must
  // still be able to fetch the outcome.
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** How long the parked image bytes live: longer than any job can take, short enough not to pile up. */
export const IMAGE_TTL_SECONDS = 15 * 60;
