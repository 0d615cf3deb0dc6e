/**
 * Waits for jobs to finish: ONE shared QueueEvents subscription feeds a map of waiters (several
 * requests may wait for the same job: a client's replay attaches to the job already running), and an
 * overdue poller reads the jobs' state in batches (once at once, then only for jobs whose events are
 * overdue) so a completion that happened before we subscribed, or an event lost on a reconnect,
 * never loses an answer.
 */
import type { QueueEvents } from "bullmq";
import type { JobResult, LoadFinishedJobs } from "./job-result.ts";
import { createOverduePoller } from "./overdue-poller.ts";

export interface JobWaiter {
  /** `justAdded`: this process added the job a moment ago, so no first read is needed (overdue-poller.ts). */
  wait(jobId: string, timeoutMs: number, options?: { justAdded?: boolean }): Promise<JobResult>;
  /** Answers every pending wait with "timeout" and unsubscribes. */
  close(): void;
}

export interface JobWaiterDeps {
  events: Pick<QueueEvents, "on" | "off">;
  /** Batched reads of finished jobs (one pipeline for many jobs): finishedJobsLoader in production. */
  loadFinishedJobs: LoadFinishedJobs;
  /** Polling is a safety net for missed events, so once a second is plenty. */
  pollIntervalMs?: number;
  /** A job is polled only once its events are this late; events normally arrive within milliseconds. */
  overdueMs?: number;
  onPollError?: (error: unknown) => void;
}

interface Waiter {
  settle(result: JobResult): void;
}

export function createJobWaiter(deps: JobWaiterDeps): JobWaiter {
  const waiters = new Map<string, Set<Waiter>>();
  const pollIntervalMs = deps.pollIntervalMs ?? 1_000;
  const settleAll = (jobId: string, result: JobResult): void => {
    for (const waiter of [...(waiters.get(jobId) ?? [])]) waiter.settle(result);
  };
  const poller = createOverduePoller({
    load: deps.loadFinishedJobs,
    onResult: settleAll,
    intervalMs: pollIntervalMs,
    overdueMs: deps.overdueMs ?? pollIntervalMs,
    onError: (error) => deps.onPollError?.(error),
  });

  const onCompleted = ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }): void => {
    settleAll(jobId, { status: "completed", returnvalue });
  };
  const onFailed = ({ jobId, failedReason }: { jobId: string; failedReason: string }): void => {
    settleAll(jobId, { status: "failed", failedReason });
  };
  deps.events.on("completed", onCompleted);
  deps.events.on("failed", onFailed);

  function wait(jobId: string, timeoutMs: number, { justAdded = false } = {}): Promise<JobResult> {
    return new Promise<JobResult>((resolve) => {
      const deadline = setTimeout(() => waiter.settle({ status: "timeout" }), timeoutMs);
      const waiter: Waiter = {
        settle(result) {
          const forJob = waiters.get(jobId);
          if (!forJob?.delete(waiter)) return;
          if (forJob.size === 0) {
            waiters.delete(jobId);
            poller.untrack(jobId);
          }
          clearTimeout(deadline);
          resolve(result);
        },
      };
      const forJob = waiters.get(jobId) ?? new Set<Waiter>();
      forJob.add(waiter);
      waiters.set(jobId, forJob);
      poller.track(jobId, { readNow: !justAdded });
    });
  }

  function close(): void {
    deps.events.off("completed", onCompleted);
    deps.events.off("failed", onFailed);
    poller.close();
    for (const jobId of [...waiters.keys()]) settleAll(jobId, { status: "timeout" });
  }

  return { wait, close };
}
