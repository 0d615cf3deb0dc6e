/**
 * Waits for jobs to finish: ONE shared QueueEvents subscription feeds a map of waiters (several
 * requests may wait for the same job: a client's replay attaches to the job already running), and an
 * overdue poller reads the jobs' state in batches (once at once, then only for jobs whose events are
 * overdue) so a completion that happened before we subscribed, or an event lost on a reconnect,
 * never loses an answer.
 */
import { Job, type Queue, type QueueEvents } from "bullmq";
import { resultOfFinishedJob, type LoadFinishedJobs } from "./finished-jobs.ts";
import { createOverduePoller } from "./overdue-poller.ts";

export type JobResult =
  { status: "completed"; returnvalue: unknown } | { status: "failed"; failedReason: string } | { status: "timeout" };

/** A finished job's result, or undefined while it is waiting, running, retrying or unknown. */
export type LoadFinishedJob = (jobId: string) => Promise<JobResult | undefined>;

export interface JobWaiter {
  wait(jobId: string, timeoutMs: number): Promise<JobResult>;
  /** Answers every pending wait with "timeout" and unsubscribes. */
  close(): void;
}

export interface JobWaiterDeps {
  events: Pick<QueueEvents, "on" | "off">;
  /** Batched reads (one pipeline for many jobs): prefer it; loadFinishedJob is read one job at a time. */
  loadFinishedJobs?: LoadFinishedJobs;
  loadFinishedJob?: LoadFinishedJob;
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
    load: deps.loadFinishedJobs ?? oneByOne(requireLoader(deps.loadFinishedJob)),
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

  function wait(jobId: string, timeoutMs: number): Promise<JobResult> {
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
      poller.track(jobId);
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

/** Adapts a one-job loader to the batched interface (tests and callers that have only that). */
function oneByOne(load: LoadFinishedJob): LoadFinishedJobs {
  return async (jobIds) => {
    const results = new Map<string, JobResult>();
    for (const jobId of jobIds) {
      const result = await load(jobId);
      if (result) results.set(jobId, result);
    }
    return results;
  };
}

function requireLoader(load: LoadFinishedJob | undefined): LoadFinishedJob {
  if (!load) throw new Error("createJobWaiter needs loadFinishedJobs or loadFinishedJob");
  return load;
}

/** Reads a job's final state from the queue; used as the waiter's polling fallback. */
export function finishedJobLoader(queue: Queue): LoadFinishedJob {
  return async (jobId) => {
    // State first: a job is moved to completed/failed together with its result, so once the state
    // says finished, the hash read next already holds the return value or reason.
    const state = await queue.getJobState(jobId);
    if (state !== "completed" && state !== "failed") return undefined;
    const job = await Job.fromId(queue, jobId);
    return job ? resultOfFinishedJob(state, job) : undefined;
  };
}
