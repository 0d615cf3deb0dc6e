/**
 * Back-pressure: when more jobs wait than the workers can finish within the synchronous timeout, a new
 * request would only queue work its client gives up on (504) and then retries, making the backlog
 * worse. So it is refused at once with 503 + Retry-After instead. The count is one Redis call, shared
 * by every request for a short while, so the check costs nothing per request under load.
 */
import type { Queue } from "bullmq";
import { ServiceUnavailableError } from "../http/errors.ts";
import { sharedReading } from "./shared-reading.ts";

export interface BacklogGuardOptions {
  queue: Pick<Queue, "getJobCounts">;
  /** Refuse new jobs while more than this many are waiting (waiting + prioritized + retries in backoff). */
  maxBacklog: number;
  /** How long one count serves every request; the backlog cannot move far in a quarter second. */
  cacheMs?: number;
  /** What 503s say in Retry-After: long enough for the workers to drain part of the backlog. */
  retryAfterSeconds?: number;
  now?: () => number;
}

export interface BacklogGuard {
  /** Resolves when there is room; throws ServiceUnavailableError (503) when there is not, or Redis fails. */
  check(): Promise<void>;
}

export function createBacklogGuard(options: BacklogGuardOptions): BacklogGuard {
  const backlog = sharedReading(
    async () => {
      const counts = await options.queue.getJobCounts("waiting", "prioritized", "delayed");
      return Object.values(counts).reduce((sum, count) => sum + count, 0);
    },
    options.cacheMs ?? 250,
    options.now,
  );

  return {
    async check() {
      let count: number;
      try {
        count = await backlog();
      } catch {
        throw new ServiceUnavailableError("The job queue is unavailable; try again shortly");
      }
      if (count > options.maxBacklog) {
        throw new ServiceUnavailableError(
          `Too many images are waiting to be processed (${count}); retry after the Retry-After delay`,
          options.retryAfterSeconds ?? 2,
        );
      }
    },
  };
}
