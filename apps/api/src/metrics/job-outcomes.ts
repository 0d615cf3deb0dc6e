/**
 * Outcomes of the jobs requests waited for, by queue and a bounded outcome label: the worker's status
 * (indexed, no_face, duplicate, ...), a failure's class (never its free-form AWS code), or timeout.
 * Counted where a request gets its answer (jobs/submit-and-wait.ts), not by GET /jobs, which only re-reads one.
 */
import type { JobResult } from "../jobs/wait/job-result.ts";
import { Counter } from "prom-client";
import { OUTCOME_STATUSES } from "@faceindex/contracts";
import type { MetricsRegistry } from "./registry.ts";

export interface JobOutcomes {
  record(queueName: string, result: JobResult): void;
}

/**
 * failed_transient: transient errors (throttling, 5xx, network) outlasted every attempt; retrying later may work.
 * failed_permanent: the request itself cannot succeed (bad image, missing bucket, access denied).
 * job_error: the job threw for good or returned no outcome (the API answers PROCESSING_FAILED or 500).
 */
export function outcomeLabel(result: JobResult): string {
  if (result.status === "timeout") return "timeout";
  if (result.status === "failed") return "job_error";
  const outcome = result.returnvalue as { status?: unknown; retryable?: unknown } | null;
  if (outcome?.status === "failed") return outcome.retryable === true ? "failed_transient" : "failed_permanent";
  if (typeof outcome?.status === "string" && OUTCOME_STATUSES.has(outcome.status)) return outcome.status;
  return "job_error";
}

export function createJobOutcomes(registry: MetricsRegistry): JobOutcomes {
  const outcomes = new Counter({
    registers: [registry],
    name: "faceindex_job_outcomes_total",
    help: "Outcomes of the jobs requests waited for, by queue and outcome (timeout: no outcome within SYNC_TIMEOUT_MS).",
    labelNames: ["queue", "outcome"],
  });
  return {
    record: (queueName, result) => outcomes.inc({ queue: queueName, outcome: outcomeLabel(result) }),
  };
}
