/** What every job kind's queue shares: the key prefix, the retry and retention policy, the parked-image TTL. */
import type { JobsOptions } from "bullmq";

/**
 * BullMQ key prefix. The braces are a Redis Cluster hash tag: every key of the queue and every stored
 * image lands in the same slot, so BullMQ's multi-key scripts and our own keys work on a cluster.
 */
export const QUEUE_PREFIX = "{faceindex}";

/**
 * Retries are for transient AWS errors (throttling, 5xx, network) and a busy per-person lock. Five
 * attempts with exponential backoff from 250 ms (at most 250, 500, 1000, 2000 ms; BullMQ's jitter 0.5
 * draws each delay from its upper half, so workers do not retry in lockstep) sum to under 4 s of
 * waiting, well inside the API's default 30 s synchronous wait.
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: "exponential", delay: 250, jitter: 0.5 },
  // Keep finished jobs for a while instead of removing them at once: removeOnComplete: true makes
  // waitUntilFinished report some successful jobs as failed, and a client that timed out (504) must
  // still be able to fetch the outcome.
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** How long the parked image bytes live: longer than any job can take, short enough not to pile up. */
export const IMAGE_TTL_SECONDS = 15 * 60;
