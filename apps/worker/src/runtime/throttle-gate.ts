/**
 * Sustained throttling slows every worker down together instead of letting each one hammer S3 or
 * Rekognition on its own backoff: a throttled job sets the queue's shared rate limit (a Redis key every
 * worker of the queue checks before taking a job) and goes back to waiting without spending an attempt.
 *
 * Bounded so a rate-limited job still ends with an outcome: once a job is older than maxThrottledMs, a
 * throttle is an ordinary transient failure again, spending one of the job's attempts with backoff,
 * and the last attempt returns a `failed` outcome (retryable: true) the API answers with.
 */
import { Worker, type Job } from "bullmq";
import { classifyError } from "./classify-error.ts";

/** Error codes that mean "slow down", as opposed to "broken": only these pause the whole queue. */
const THROTTLE_CODES = new Set([
  "ThrottlingException",
  "ProvisionedThroughputExceededException",
  "TooManyRequestsException",
  "SlowDown",
]);

export interface ThrottleGateOptions {
  /** The worker whose queue is paused; filled in after the worker is built (it needs the processor first). */
  worker: () => Pick<Worker, "rateLimit"> | undefined;
  /** Pause for every worker on a throttle: a second lets AWS's token buckets (per-second TPS) refill. */
  pauseMs?: number;
  /** Throttles pause the queue only while the job is younger than this: inside the API's 30 s wait. */
  maxThrottledMs?: number;
  /** Tells the operator the queue is paused (queue-worker.ts logs it). */
  onThrottle: (jobId: string | undefined, code: string, pauseMs: number) => void;
}

/** A "slow down" answer of S3 or Rekognition (also read by paced-client.ts to lower the shared rate). */
export function isThrottle(error: unknown): boolean {
  const shape = error as { $metadata?: { httpStatusCode?: unknown } } | null;
  return THROTTLE_CODES.has(classifyError(error).code) || shape?.$metadata?.httpStatusCode === 429;
}

/**
 * Asked by the job runner (job-runner.ts) before a failure spends an attempt, the last one included: for a
 * throttle inside the window it pauses the queue and returns the error that moves the job back to waiting.
 */
export function createThrottleGate(options: ThrottleGateOptions) {
  const pauseMs = options.pauseMs ?? 1_000;
  const maxThrottledMs = options.maxThrottledMs ?? 20_000;
  return async (error: unknown, job: Pick<Job, "id" | "timestamp">): Promise<Error | undefined> => {
    const worker = options.worker();
    if (!worker || !isThrottle(error) || Date.now() - job.timestamp >= maxThrottledMs) return undefined;
    options.onThrottle(job.id, classifyError(error).code, pauseMs);
    // worker.rateLimit is marked deprecated in favour of queue.rateLimit; both set the same shared key.
    await worker.rateLimit(pauseMs);
    return Worker.RateLimitError();
  };
}
