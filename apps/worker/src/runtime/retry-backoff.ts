/**
 * The delay before a failed job's next attempt (BullMQ's custom backoff strategy, named by the catalog's
 * RETRY_BACKOFF_TYPE): the attempts are spread over the API's synchronous wait instead of being bunched
 * into its first seconds, so an S3 or Rekognition restart of a few seconds is ridden out and the request
 * still gets its 200, while the last attempt still ends (with a retryable failure at worst) before the
 * wait does, so the caller hears 503 + Retry-After rather than 504.
 *
 * Delays double (a blip is retried within a second, a restart gets the later, longer gaps) and their sum
 * is at most half the wait: the other half is for the attempts themselves (an IndexFaces can take seconds
 * under load). Each delay is drawn from the upper half of its slot, so jobs that failed together (a server
 * died under them) do not all come back in the same millisecond.
 */
import type { Job } from "bullmq";

// Half the wait for sleeping between attempts, half for running them.
const BACKOFF_SHARE_OF_WAIT = 0.5;
// Each delay is drawn from [1 - JITTER, 1] of its slot.
const JITTER = 0.5;

/** The longest delay before attempt `attemptsMade + 1`, for a job of `attempts` within `syncTimeoutMs`. */
export function retryDelayCeilingMs(attemptsMade: number, attempts: number, syncTimeoutMs: number): number {
  const retries = Math.max(1, attempts - 1);
  // base * (1 + 2 + ... + 2^(retries-1)) = base * (2^retries - 1) = the backoff budget.
  const base = (syncTimeoutMs * BACKOFF_SHARE_OF_WAIT) / (2 ** retries - 1);
  // A job retried past its attempts (put back by a gate, then failing again) keeps the last slot's size.
  const slot = Math.min(Math.max(1, attemptsMade), retries);
  return Math.round(base * 2 ** (slot - 1));
}

/** BullMQ's backoffStrategy for the worker's settings: the job's own attempt count, the API's wait. */
export function createRetryBackoff(syncTimeoutMs: number, random: () => number = Math.random) {
  return (attemptsMade: number, _type?: string, _error?: Error, job?: Pick<Job, "opts">): number => {
    const ceiling = retryDelayCeilingMs(attemptsMade, job?.opts.attempts ?? 1, syncTimeoutMs);
    return Math.floor(ceiling * (1 - JITTER + JITTER * random()));
  };
}
