/**
 * Sustained throttling slows every worker down together instead of letting each one hammer S3 or
 * Rekognition on its own backoff: a throttled job sets the queue's shared rate limit (a Redis key every
 * worker of the queue checks before taking a job) and goes back to waiting without spending an attempt.
 *
 * Bounded so a rate-limited job still ends with an outcome: once a job is older than maxThrottledMs, a
 * throttle is an ordinary transient failure again, spending one of the job's attempts with backoff,
 * and the last attempt returns a `failed` outcome (retryable: true) the API answers with.
 */
import { Worker, type Job, type Processor } from "bullmq";
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
  now?: () => number;
  onThrottle?: (jobId: string | undefined, code: string, pauseMs: number) => void;
}

export function isThrottle(error: unknown): boolean {
  const shape = error as { $metadata?: { httpStatusCode?: unknown } } | null;
  return THROTTLE_CODES.has(classifyError(error).code) || shape?.$metadata?.httpStatusCode === 429;
}

export function withThrottleGate<D, R, N extends string>(
  processor: Processor<D, R, N>,
  options: ThrottleGateOptions,
): Processor<D, R, N> {
  const pauseMs = options.pauseMs ?? 1_000;
  const maxThrottledMs = options.maxThrottledMs ?? 20_000;
  const now = options.now ?? Date.now;
  return async (job: Job<D, R, N>, token?: string) => {
    try {
      return await processor(job, token);
    } catch (error) {
      const worker = options.worker();
      if (!worker || !isThrottle(error) || now() - job.timestamp >= maxThrottledMs) throw error;
      options.onThrottle?.(job.id, classifyError(error).code, pauseMs);
      // worker.rateLimit is marked deprecated in favour of queue.rateLimit; both set the same shared key.
      await worker.rateLimit(pauseMs);
      throw Worker.RateLimitError();
    }
  };
}
