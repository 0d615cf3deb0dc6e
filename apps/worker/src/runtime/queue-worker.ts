/**
 * One BullMQ worker with the settings every queue of ours needs: the job lock and stalled-job checks
 * that re-run a killed worker's job inside the API's wait, the gates that put a job back without
 * spending an attempt (shared throttle gate, lock wait), the parked image's clean-up once the outcome is
 * stored, and an error listener. workers.ts builds one per job kind.
 */
import { Worker, type Job } from "bullmq";
import type { Cluster, Redis } from "ioredis";
import type { Logger } from "pino";
import { JOBS, type FailedOutcome, type JobKind, type JobOutcome, type JobPayload } from "@faceindex/contracts";
import type { JobRunner } from "./job-runner.ts";
import { createLockWait } from "./lock-wait.ts";
import { createThrottleGate } from "./throttle-gate.ts";

export interface QueueWorkerSettings {
  /** ioredis with `maxRetriesPerRequest: null` (BullMQ requires it). */
  redis: Redis | Cluster;
  prefix: string;
  logger: Pick<Logger, "warn" | "error">;
  /** Jobs in flight at once in this process. */
  concurrency: number;
  /**
   * A job's lock, renewed every half of it while the job runs. A SIGKILLed worker's job is re-run
   * once its lock lapses (plus up to stalledIntervalMs): 10 s keeps that inside the API's 30 s wait,
   * where BullMQ's default 30 s would not. A re-run is harmless: IndexFaces of the same bytes and
   * ExternalImageId returns the face already stored, a delete finds the faces already gone, a search
   * only reads.
   */
  lockDurationMs?: number;
  /** How often workers look for jobs whose lock lapsed (BullMQ's default is 30 s). */
  stalledIntervalMs?: number;
  /**
   * How long every worker of the queue pauses after a throttled call, and for how long a job may be
   * paused (see throttle-gate.ts).
   */
  throttlePauseMs?: number;
  maxThrottledMs?: number;
  /**
   * How long a job may wait for its person's lock without spending attempts (see lock-wait.ts);
   * unset = lock TTL + 10 s.
   */
  maxLockWaitMs?: number;
  /** Told of each throttle pause and each lock wait (the worker's metrics); optional. */
  onThrottlePause?: (queueName: string) => void;
  onLockWait?: (queueName: string) => void;
}

/** The BullMQ worker of one kind (FailedOutcome is in every kind's outcome already; spelt out for generic code). */
export type KindWorker<Kind extends JobKind> = Worker<JobPayload<Kind>, JobOutcome<Kind> | FailedOutcome>;

export const DEFAULT_LOCK_DURATION_MS = 10_000;
const DEFAULT_STALLED_INTERVAL_MS = 5_000;

// A job is re-run after up to this many worker deaths; one that kills its worker every time fails then.
const MAX_STALLED_COUNT = 3;
// The limiter must be set for the shared manual rate limit (worker.rateLimit) to be honoured; this
// max is never reached, so it limits nothing by itself.
const UNREACHED_LIMITER = { max: Number.MAX_SAFE_INTEGER, duration: 1_000 };
// The per-person lock (adapters/redis/external-id-lock.ts) of a crashed holder lapses within its TTL (the job lock's
// duration, workers.ts); past that, a live holder's slow IndexFaces (several seconds under load) still fits.
const LOCK_WAIT_SLACK_MS = 10_000;

/** The worker of the catalog's queue for `kind`, running each job with `runner` (job-runner.ts). */
export function createQueueWorker<Kind extends JobKind>(
  kind: Kind,
  runner: JobRunner<JobOutcome<Kind>>,
  settings: QueueWorkerSettings,
): KindWorker<Kind> {
  const { queueName } = JOBS[kind];
  const lockDurationMs = settings.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS;
  const throttleGate = createThrottleGate({
    worker: () => worker,
    ...(settings.throttlePauseMs === undefined ? {} : { pauseMs: settings.throttlePauseMs }),
    ...(settings.maxThrottledMs === undefined ? {} : { maxThrottledMs: settings.maxThrottledMs }),
    onThrottle: (jobId, code, pauseMs) => {
      settings.onThrottlePause?.(queueName);
      settings.logger.warn({ queue: queueName, jobId, code, pauseMs }, "throttled: pausing every worker");
    },
  });
  const lockWait = createLockWait({
    redis: settings.redis,
    maxWaitMs: settings.maxLockWaitMs ?? lockDurationMs + LOCK_WAIT_SLACK_MS,
  });
  const waitForLock = async (error: unknown, job: Job<JobPayload<Kind>>, token?: string) => {
    const waiting = await lockWait(error, job, token);
    if (waiting) settings.onLockWait?.(queueName);
    return waiting;
  };
  const processor = (job: Job<JobPayload<Kind>>, token?: string) =>
    runner(job, {
      putBack: async (error) => (await throttleGate(error, job)) ?? (await waitForLock(error, job, token)),
    });
  const worker: KindWorker<Kind> = new Worker(queueName, processor, {
    connection: settings.redis,
    prefix: settings.prefix,
    concurrency: settings.concurrency,
    lockDuration: lockDurationMs,
    stalledInterval: settings.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS,
    maxStalledCount: MAX_STALLED_COUNT,
    limiter: UNREACHED_LIMITER,
  });
  const { cleanup } = runner;
  if (cleanup) {
    // Only once BullMQ has stored the outcome: freed inside the processor, a crash before the store would
    // re-run the job without its image (IMAGE_EXPIRED for an image in fact indexed). A crash between the
    // store and this leaves the bytes to their TTL. A `failed` event with finishedOn is a final failure;
    // without it the job is retried and needs the bytes.
    worker.on("completed", (job) => void cleanup(job));
    worker.on("failed", (job) => {
      if (job?.finishedOn) void cleanup(job);
    });
  }
  // Without a listener, a Redis error event would crash the process; ioredis reconnects by itself.
  worker.on("error", (error) =>
    settings.logger.error({ err: { name: error.name, message: error.message } }, "worker error"),
  );
  return worker;
}
