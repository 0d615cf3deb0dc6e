/**
 * Sheds early under overload: a new job is admitted only if its predicted wait (the kind's backlog over
 * the rate its workers are measured to finish jobs) fits well inside the sync timeout. The rest get 503 +
 * Retry-After at once, instead of a 504 after 30 s for work the client gave up on.
 *
 * The service rate is measured from the queue's own completion events (every worker's, through the lane's
 * QueueEvents), only over seconds in which jobs were waiting: then the workers were saturated and what
 * they finished is what they can finish. Until such a second has been seen, the rate is unknown and the
 * guard admits (MAX_BACKLOG still bounds the queue).
 */
import type { Queue, QueueEvents } from "bullmq";
import { ServiceUnavailableError } from "../http/errors.ts";
import { sharedReading } from "./shared-reading.ts";

export interface WaitGuardOptions {
  queue: Pick<Queue, "getJobCounts">;
  /** The lane's events: every completion or final failure of the kind's jobs, from every worker. */
  events: Pick<QueueEvents, "on">;
  /** The longest predicted wait admitted; main.ts passes a quarter of SYNC_TIMEOUT_MS. */
  maxWaitMs: number;
  /** How long one backlog count serves every request (the backlog guard reads the same way). */
  cacheMs?: number;
  now?: () => number;
}

export interface WaitGuard {
  /** Resolves when the predicted wait fits; throws ServiceUnavailableError (503 + Retry-After) when not. */
  check(): Promise<void>;
}

// Weight of the newest second in the measured rate: smooths one slow second, follows a change in a few.
const NEW_SAMPLE_WEIGHT = 0.3;
// A saturated second is counted once it has lasted this long.
const SAMPLE_MS = 1_000;
// Retry-After is bounded: at least a second, and never longer than a client would sensibly wait.
const MAX_RETRY_AFTER_SECONDS = 30;

export function createWaitGuard(options: WaitGuardOptions): WaitGuard {
  const now = options.now ?? Date.now;
  const backlog = sharedReading(
    async () => {
      const counts = await options.queue.getJobCounts("waiting", "prioritized");
      return Object.values(counts).reduce((sum, count) => sum + count, 0);
    },
    options.cacheMs ?? 250,
    now,
  );
  let finished = 0;
  let windowStart = now();
  let saturated = false;
  let ratePerMs: number | undefined;
  const count = () => void finished++;
  options.events.on("completed", count);
  options.events.on("failed", count);

  function sample(waiting: number): void {
    const time = now();
    if (waiting > 0) saturated = true;
    if (time - windowStart < SAMPLE_MS) return;
    if (saturated) {
      const measured = finished / (time - windowStart);
      ratePerMs = ratePerMs === undefined ? measured : ratePerMs + NEW_SAMPLE_WEIGHT * (measured - ratePerMs);
    }
    finished = 0;
    windowStart = time;
    saturated = waiting > 0;
  }

  return {
    async check() {
      let waiting: number;
      try {
        waiting = await backlog();
      } catch {
        throw new ServiceUnavailableError("The job queue is unavailable; try again shortly");
      }
      sample(waiting);
      if (ratePerMs === undefined || waiting === 0) return;
      // No job finished in saturated seconds: the workers are stuck or gone, so any wait is too long.
      const predictedMs = ratePerMs > 0 ? waiting / ratePerMs : Infinity;
      if (predictedMs <= options.maxWaitMs) return;
      const drainMs = ratePerMs > 0 ? predictedMs - options.maxWaitMs : MAX_RETRY_AFTER_SECONDS * 1000;
      throw new ServiceUnavailableError(
        `Too many images are waiting to be processed (about ${Math.ceil(predictedMs / 1000)} s of work); retry after the Retry-After delay`,
        Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil(drainMs / 1000))),
      );
    },
  };
}
