/**
 * The waiter's safety net for missed completion events, built to scale with many waiters: a job someone
 * else added is read once as soon as it is tracked (it may have finished before anyone subscribed), then left to the
 * events until it is overdue, and from then on re-read every interval. All reads of one moment go out
 * together in batches through `load` (one Redis pipeline each), from ONE chained timer.
 */
import type { FinishedJobResult, LoadFinishedJobs } from "./job-result.ts";

export interface OverduePollerOptions {
  load: LoadFinishedJobs;
  onResult: (jobId: string, result: FinishedJobResult) => void;
  /** How often an overdue job is read again. */
  intervalMs: number;
  /** Events usually arrive well within this; only jobs tracked for longer are polled. */
  overdueMs: number;
  onError?: (error: unknown) => void;
}

// Bounds one pipeline's reply (a returnvalue is a few KB), so a huge backlog of waiters is read in slices.
const BATCH_SIZE = 500;

export interface OverduePoller {
  /**
   * `readNow: false` skips the first read for a job this process has just added: it cannot have finished
   * before the subscription (already running) was there to hear it, and a lost event is still caught
   * once the job is overdue.
   */
  track(jobId: string, options?: { readNow?: boolean }): void;
  untrack(jobId: string): void;
  close(): void;
}

export function createOverduePoller(options: OverduePollerOptions): OverduePoller {
  const nextPollAt = new Map<string, number>();
  let fresh = new Set<string>();
  let freshScheduled = false;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  async function read(jobIds: string[]): Promise<void> {
    for (let start = 0; start < jobIds.length; start += BATCH_SIZE) {
      const slice = jobIds.slice(start, start + BATCH_SIZE).filter((id) => nextPollAt.has(id));
      try {
        const results = await options.load(slice);
        for (const [jobId, result] of results) if (nextPollAt.has(jobId)) options.onResult(jobId, result);
      } catch (error) {
        options.onError?.(error);
      }
    }
  }

  function readFresh(): void {
    freshScheduled = false;
    const jobIds = [...fresh];
    fresh = new Set();
    void read(jobIds);
  }

  async function tick(): Promise<void> {
    timer = undefined;
    const now = Date.now();
    const due: string[] = [];
    for (const [jobId, at] of nextPollAt) {
      if (at > now) continue;
      due.push(jobId);
      nextPollAt.set(jobId, now + options.intervalMs);
    }
    await read(due);
    schedule();
  }

  // Chained, not setInterval, so a slow Redis never stacks polls.
  function schedule(): void {
    if (closed || timer || nextPollAt.size === 0) return;
    timer = setTimeout(() => void tick(), options.intervalMs);
    timer.unref();
  }

  return {
    track(jobId, { readNow = true } = {}) {
      if (closed || nextPollAt.has(jobId)) return;
      nextPollAt.set(jobId, Date.now() + options.overdueMs);
      schedule();
      if (!readNow) return;
      fresh.add(jobId);
      if (!freshScheduled) {
        freshScheduled = true;
        setImmediate(readFresh); // every waiter added in this turn shares one read
      }
    },
    untrack(jobId) {
      nextPollAt.delete(jobId);
      fresh.delete(jobId);
    },
    close() {
      closed = true;
      clearTimeout(timer);
      nextPollAt.clear();
      fresh.clear();
    },
  };
}
