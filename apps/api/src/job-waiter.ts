/**
 * Waits for jobs to finish: ONE shared QueueEvents subscription feeds a map of waiters, and each
 * waiter also polls its job's state (once at once, then every second) so a completion that happened
 * before we subscribed, or an event lost on a reconnect, never loses an answer.
 */
import { Job, type Queue, type QueueEvents } from "bullmq";

export type JobResult =
  | { status: "completed"; returnvalue: unknown }
  | { status: "failed"; failedReason: string }
  | { status: "timeout" };

/** A finished job's result, or undefined while it is waiting, running, retrying or unknown. */
export type LoadFinishedJob = (jobId: string) => Promise<JobResult | undefined>;

export interface JobWaiter {
  wait(jobId: string, timeoutMs: number): Promise<JobResult>;
  /** Answers every pending wait with "timeout" and unsubscribes. */
  close(): void;
}

export interface JobWaiterDeps {
  events: Pick<QueueEvents, "on" | "off">;
  loadFinishedJob: LoadFinishedJob;
  /** Polling is a safety net for missed events, so once a second is plenty. */
  pollIntervalMs?: number;
  onPollError?: (error: unknown) => void;
}

interface Waiter {
  settle(result: JobResult): void;
}

export function createJobWaiter(deps: JobWaiterDeps): JobWaiter {
  const waiters = new Map<string, Waiter>();
  const pollIntervalMs = deps.pollIntervalMs ?? 1_000;

  const onCompleted = ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }): void => {
    waiters.get(jobId)?.settle({ status: "completed", returnvalue });
  };
  const onFailed = ({ jobId, failedReason }: { jobId: string; failedReason: string }): void => {
    waiters.get(jobId)?.settle({ status: "failed", failedReason });
  };
  deps.events.on("completed", onCompleted);
  deps.events.on("failed", onFailed);

  function wait(jobId: string, timeoutMs: number): Promise<JobResult> {
    if (waiters.has(jobId)) return Promise.reject(new Error(`already waiting for job ${jobId}`));
    return new Promise<JobResult>((resolve) => {
      let pollTimer: NodeJS.Timeout | undefined;
      const deadline = setTimeout(() => waiter.settle({ status: "timeout" }), timeoutMs);
      const waiter: Waiter = {
        settle(result) {
          if (waiters.get(jobId) !== waiter) return;
          waiters.delete(jobId);
          clearTimeout(deadline);
          clearTimeout(pollTimer);
          resolve(result);
        },
      };
      waiters.set(jobId, waiter);

      const poll = async (): Promise<void> => {
        try {
          const result = await deps.loadFinishedJob(jobId);
          if (result) waiter.settle(result);
        } catch (error) {
          deps.onPollError?.(error);
        }
        // Chained, not setInterval, so a slow Redis never stacks polls.
        if (waiters.get(jobId) === waiter) pollTimer = setTimeout(() => void poll(), pollIntervalMs);
      };
      void poll();
    });
  }

  function close(): void {
    deps.events.off("completed", onCompleted);
    deps.events.off("failed", onFailed);
    for (const waiter of [...waiters.values()]) waiter.settle({ status: "timeout" });
  }

  return { wait, close };
}

/** Reads a job's final state from the queue; used as the waiter's polling fallback. */
export function finishedJobLoader(queue: Queue): LoadFinishedJob {
  return async (jobId) => {
    // State first: a job is moved to completed/failed together with its result, so once the state
    // says finished, the hash read next already holds the return value or reason.
    const state = await queue.getJobState(jobId);
    if (state !== "completed" && state !== "failed") return undefined;
    const job = await Job.fromId(queue, jobId);
    if (!job) return undefined;
    if (state === "completed") return { status: "completed", returnvalue: job.returnvalue as unknown };
    return { status: "failed", failedReason: job.failedReason };
  };
}
