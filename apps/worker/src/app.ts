/**
 * Package entry: builds the BullMQ worker that consumes index-faces jobs. Never reads process.env:
 * main.ts (or a test) passes every dependency in.
 */
import type { Worker } from "bullmq";
import type { Logger } from "pino";
import { INDEX_FACES_QUEUE, QUEUE_PREFIX, type IndexFacesJob, type IndexFacesOutcome } from "@faceindex/contracts";
import { createExternalIdLock } from "./adapters/redis/external-id-lock.ts";
import type { FaceCollection } from "./adapters/rekognition/face-collection.ts";
import type { FaceIndex } from "./adapters/rekognition/face-index.ts";
import { createGalleryMap } from "./adapters/redis/gallery-map.ts";
import type { ImageStore } from "./adapters/s3/image-store.ts";
import { createIndexFaceProcessor } from "./jobs/index-faces.ts";
import { createParkedImages } from "./adapters/redis/parked-images.ts";
import { createQueueWorker, DEFAULT_LOCK_DURATION_MS, type QueueWorkerSettings } from "./runtime/queue-worker.ts";

export interface WorkerDeps extends Omit<QueueWorkerSettings, "prefix" | "logger"> {
  imageStore: Pick<ImageStore, "putImage">;
  faceIndex: Pick<FaceIndex, "indexFaces">;
  /** For dedupe on enrol (SearchFacesByImage); main.ts always passes it. */
  faceCollection?: Pick<FaceCollection, "searchFacesByImage">;
  collectionId: string;
  logger: Logger;
  /** Overridable so tests run on their own queue; defaults to the contract's. */
  queueName?: string;
  prefix?: string;
}

export type IndexFacesWorker = Worker<IndexFacesJob, IndexFacesOutcome>;

export function createWorker(deps: WorkerDeps): IndexFacesWorker {
  const prefix = deps.prefix ?? QUEUE_PREFIX;
  const processor = createIndexFaceProcessor({
    gallery: createGalleryMap(deps.redis, prefix, deps.collectionId),
    // The lock of a killed worker must lapse no later than its job's, or the re-run finds it still held.
    lock: createExternalIdLock({
      redis: deps.redis,
      prefix,
      collectionId: deps.collectionId,
      ttlMs: deps.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS,
    }),
    faceCollection: deps.faceCollection,
    imageStore: deps.imageStore,
    faceIndex: deps.faceIndex,
    parkedImages: createParkedImages(deps.redis),
    collectionId: deps.collectionId,
    logger: deps.logger,
  });
  return createQueueWorker(deps.queueName ?? INDEX_FACES_QUEUE, processor, { ...deps, prefix });
}

export { createFaceIndex, type FaceIndex } from "./adapters/rekognition/face-index.ts";
export { createImageStore, type ImageStore } from "./adapters/s3/image-store.ts";
export { ensureCollection } from "./adapters/rekognition/ensure-collection.ts";
export { createFaceCollection, type FaceCollection } from "./adapters/rekognition/face-collection.ts";
export { createGalleryWorkers, type GalleryWorkers } from "./gallery-workers.ts";
