/**
 * Counts what BullMQ's events tell of each kind's worker: finished attempts by outcome, their durations,
 * and parked-image misses. Thrown errors a gate turned into a put-back (throttle, lock wait) emit no
 * `failed` event, so they are not attempts here either; the gates count themselves (queue-worker.ts).
 */
import type { Job } from "bullmq";
import { OUTCOME_STATUSES } from "@faceindex/contracts";
import type { WorkerMetrics } from "./worker-metrics.ts";

/** The part of a BullMQ worker this reads. */
export interface ObservableWorker {
  on(event: "completed", listener: (job: Job) => void): unknown;
  on(event: "failed", listener: (job: Job | undefined) => void): unknown;
}

export function observeWorker(kind: string, worker: ObservableWorker, metrics: WorkerMetrics): void {
  const timed = (job: Job) => {
    if (job.processedOn) metrics.attemptSeconds.observe({ kind }, Math.max(0, Date.now() - job.processedOn) / 1000);
  };
  worker.on("completed", (job) => {
    const outcome = job.returnvalue as { status?: unknown; code?: unknown } | null;
    const status =
      typeof outcome?.status === "string" && OUTCOME_STATUSES.has(outcome.status) ? outcome.status : "other";
    metrics.jobs.inc({ kind, outcome: status });
    if (outcome?.code === "IMAGE_EXPIRED") metrics.parkedImageMisses.inc({ kind });
    timed(job);
  });
  worker.on("failed", (job) => {
    if (!job) return;
    metrics.jobs.inc({ kind, outcome: job.finishedOn ? "error" : "retry" });
    timed(job);
  });
}
