/**
 * Package entry: builds the BullMQ worker that consumes index-faces jobs. Never reads process.env:
 * main.ts (or a test) passes every dependency in.
 */
import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { INDEX_FACES_QUEUE, QUEUE_PREFIX, type IndexFacesJob, type IndexFacesOutcome } from "@faceindex/contracts";
import { createExternalIdLock } from "./external-id-lock.ts";
import type { FaceCollection } from "./face-collection.ts";
import type { FaceIndex } from "./face-index.ts";
import { createGalleryMap } from "./gallery-map.ts";
import type { ImageStore } from "./image-store.ts";
import { createIndexFaceProcessor } from "./index-face.ts";
import { createParkedImages } from "./parked-image.ts";
import { withThrottleGate } from "./throttle-gate.ts";

export interface WorkerDeps {
  /** ioredis with `maxRetriesPerRequest: null` (BullMQ requires it); also reads the parked images. */
  redis: Redis;
  imageStore: Pick<ImageStore, "putImage">;
  faceIndex: Pick<FaceIndex, "indexFaces">;
  /** For dedupe on enrol (SearchFacesByImage); main.ts always passes it. */
  faceCollection?: Pick<FaceCollection, "searchFacesByImage">;
  collectionId: string;
  logger: Logger;
  /** Jobs in flight at once in this process. */
  concurrency: number;
  /** Overridable so tests run on their own queue; defaults to the contract's. */
  queueName?: string;
  prefix?: string;
  /**
   * A job's lock, renewed every half of it while the job runs. A SIGKILLed worker's job is re-run
   * once its lock lapses (plus up to stalledIntervalMs): 10 s keeps that inside the API's 30 s wait,
   * where BullMQ's default 30 s would not. A re-run is harmless: IndexFaces of the same bytes and
   * ExternalImageId returns the face already stored.
   */
  lockDurationMs?: number;
  /** How often workers look for jobs whose lock lapsed (BullMQ's default is 30 s). */
  stalledIntervalMs?: number;
  /** How long every worker pauses after a throttled call, and for how long a job may be paused (see throttle-gate.ts). */
  throttlePauseMs?: number;
  maxThrottledMs?: number;
}

const DEFAULT_LOCK_DURATION_MS = 10_000;
const DEFAULT_STALLED_INTERVAL_MS = 5_000;
// A job is re-run after up to this many worker deaths; one that kills its worker every time fails then.
const MAX_STALLED_COUNT = 3;
// The limiter must be set for the shared manual rate limit (worker.rateLimit) to be honoured; this
// max is never reached, so it limits nothing by itself.
const UNREACHED_LIMITER = { max: Number.MAX_SAFE_INTEGER, duration: 1_000 };

export type IndexFacesWorker = Worker<IndexFacesJob, IndexFacesOutcome>;

export function createWorker(deps: WorkerDeps): IndexFacesWorker {
  const prefix = deps.prefix ?? QUEUE_PREFIX;
  const lockDurationMs = deps.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS;
  const processor = createIndexFaceProcessor({
    gallery: createGalleryMap(deps.redis, prefix, deps.collectionId),
    // The lock of a killed worker must lapse no later than its job's, or the re-run finds it still held.
    lock: createExternalIdLock({ redis: deps.redis, prefix, collectionId: deps.collectionId, ttlMs: lockDurationMs }),
    faceCollection: deps.faceCollection,
    imageStore: deps.imageStore,
    faceIndex: deps.faceIndex,
    parkedImages: createParkedImages(deps.redis),
    collectionId: deps.collectionId,
    logger: deps.logger,
  });
  const gated = withThrottleGate(processor, {
    worker: () => worker,
    ...(deps.throttlePauseMs === undefined ? {} : { pauseMs: deps.throttlePauseMs }),
    ...(deps.maxThrottledMs === undefined ? {} : { maxThrottledMs: deps.maxThrottledMs }),
    onThrottle: (jobId, code, pauseMs) => deps.logger.warn({ jobId, code, pauseMs }, "throttled: pausing every worker"),
  });
  const worker: IndexFacesWorker = new Worker(deps.queueName ?? INDEX_FACES_QUEUE, gated, {
    connection: deps.redis,
    prefix,
    concurrency: deps.concurrency,
    lockDuration: lockDurationMs,
    stalledInterval: deps.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS,
    maxStalledCount: MAX_STALLED_COUNT,
    limiter: UNREACHED_LIMITER,
  });
  // Without a listener, a Redis error event would crash the process; ioredis reconnects by itself.
  worker.on("error", (error) => deps.logger.error({ err: { name: error.name, message: error.message } }, "worker error"));
  return worker;
}

export { createFaceIndex, type FaceIndex } from "./face-index.ts";
export { createImageStore, type ImageStore } from "./image-store.ts";
export { ensureCollection } from "./ensure-collection.ts";
export { createFaceCollection, type FaceCollection } from "./face-collection.ts";
export { createGalleryWorkers, type GalleryWorkers } from "./gallery-workers.ts";
