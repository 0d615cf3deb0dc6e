/**
 * The worker's metrics (prom-client, one registry per process, with the default process metrics): jobs by
 * kind and outcome, attempt durations, S3 and Rekognition calls by operation and outcome, throttle pauses,
 * lock waits and parked-image misses. Every label value is bounded: kinds, statuses, operation names and
 * outcome classes, never a job id, code text or external id.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";

/**
 * Seconds. An attempt is a few Redis calls plus S3 and Rekognition (IndexFaces 1-3 s on AWS, several
 * seconds on a busy local engine), cut off at the SDK's 20 s request timeout.
 */
const ATTEMPT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60];

export interface WorkerMetrics {
  registry: Registry;
  /** One per finished attempt: `outcome` is the returned status, or `retry` / `error` for a thrown one. */
  jobs: Counter<"kind" | "outcome">;
  attemptSeconds: Histogram<"kind">;
  awsCalls: Counter<"service" | "operation" | "outcome">;
  throttlePauses: Counter<"queue">;
  lockWaits: Counter<"queue">;
  parkedImageMisses: Counter<"kind">;
}

export function createWorkerMetrics(options: { processMetrics?: boolean } = {}): WorkerMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    jobs: new Counter({
      registers,
      name: "faceindex_worker_jobs_total",
      help: "Job attempts finished, by kind and outcome (a returned status; retry: threw and will be retried; error: threw for good).",
      labelNames: ["kind", "outcome"],
    }),
    attemptSeconds: new Histogram({
      registers,
      name: "faceindex_worker_attempt_duration_seconds",
      help: "Time one attempt of a job ran, by kind (put-backs by the gates excluded).",
      labelNames: ["kind"],
      buckets: ATTEMPT_BUCKETS,
    }),
    awsCalls: new Counter({
      registers,
      name: "faceindex_worker_aws_calls_total",
      help: "S3 and Rekognition calls, by service, operation and outcome (ok, throttled, client_error, server_error, network).",
      labelNames: ["service", "operation", "outcome"],
    }),
    throttlePauses: new Counter({
      registers,
      name: "faceindex_worker_throttle_pauses_total",
      help: "Times a throttled call paused every worker of a queue.",
      labelNames: ["queue"],
    }),
    lockWaits: new Counter({
      registers,
      name: "faceindex_worker_lock_waits_total",
      help: "Times a job found its person's lock held and was put back to wait, by queue.",
      labelNames: ["queue"],
    }),
    parkedImageMisses: new Counter({
      registers,
      name: "faceindex_worker_parked_image_misses_total",
      help: "Jobs whose parked image had expired before a worker took them (IMAGE_EXPIRED), by kind.",
      labelNames: ["kind"],
    }),
  };
}
