/** What waiting for a job yields, shared by the waiter, its poller and the loaders that read finished jobs. */

/** A job that has finished: with its return value (the kind's outcome), or failed for good with a reason. */
export type FinishedJobResult =
  { status: "completed"; returnvalue: unknown } | { status: "failed"; failedReason: string };

/** A finished job, or `timeout` when it did not finish within the wait. */
export type JobResult = FinishedJobResult | { status: "timeout" };

/** Final results of the jobs that have finished; ids still running (or unknown) are absent. */
export type LoadFinishedJobs = (jobIds: string[]) => Promise<Map<string, FinishedJobResult>>;
