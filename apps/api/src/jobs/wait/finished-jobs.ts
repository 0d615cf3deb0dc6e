/**
 * Reads the final result of many jobs in ONE round trip: a pipeline of HMGETs on the job hashes. The
 * waiter's polling fallback uses it, so a thousand waiters cost one pipeline per poll, not two
 * commands each (measured in the README's Reliability section).
 *
 * BullMQ writes `finishedOn` together with `returnvalue` (completed) or `failedReason` (failed for
 * good) in the same script that moves the job to its final set, so the three fields are consistent.
 */
import type { Job, JobState, Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { FinishedJobResult, LoadFinishedJobs } from "./job-result.ts";

export interface FinishedFields {
  finishedOn: string | null | undefined;
  returnvalue: string | null | undefined;
  failedReason: string | null | undefined;
}

/** The job's result from its hash fields, or undefined while it is not finished. */
export function resultOfFields(fields: FinishedFields): FinishedJobResult | undefined {
  if (!fields.finishedOn) return undefined;
  if (typeof fields.returnvalue === "string")
    return { status: "completed", returnvalue: parseReturnValue(fields.returnvalue) };
  return { status: "failed", failedReason: fields.failedReason ?? "" };
}

/**
 * A finished job's result from its final state, the same rule as resultOfFields: "completed" carries
 * whatever the job returned (null or a non-outcome too: each kind's answer turns those into a 500 that
 * hides them), "failed" its reason. A return value of null must not pass for a failure: the waiter
 * hears "completed", and GET /jobs (which reads the job, not its hash) must answer as it does.
 */
export function resultOfFinishedJob(
  state: JobState | "unknown",
  job: Pick<Job, "returnvalue" | "failedReason">,
): FinishedJobResult | undefined {
  if (state === "completed") return { status: "completed", returnvalue: job.returnvalue as unknown };
  if (state === "failed") return { status: "failed", failedReason: job.failedReason };
  return undefined;
}

/** `redis` is the queue's own connection; `queue.toKey(jobId)` names a job's hash. */
export function finishedJobsLoader(redis: Pick<Redis, "pipeline">, queue: Pick<Queue, "toKey">): LoadFinishedJobs {
  return async (jobIds) => {
    const results = new Map<string, FinishedJobResult>();
    if (jobIds.length === 0) return results;
    const pipeline = redis.pipeline();
    for (const jobId of jobIds) pipeline.hmget(queue.toKey(jobId), "finishedOn", "returnvalue", "failedReason");
    const replies = (await pipeline.exec()) ?? [];
    replies.forEach(([error, reply], i) => {
      if (error) throw error;
      const [finishedOn, returnvalue, failedReason] = reply as (string | null)[];
      const result = resultOfFields({ finishedOn, returnvalue, failedReason });
      const jobId = jobIds[i];
      if (result && jobId !== undefined) results.set(jobId, result);
    });
    return results;
  };
}

function parseReturnValue(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}
