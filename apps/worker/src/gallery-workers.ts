/**
 * The BullMQ workers of the gallery queues, one per queue (delete-faces, search-faces), next to the
 * index-faces worker of app.ts, with the same lock, stalled-job and throttle settings (queue-worker.ts).
 * Never reads process.env: main.ts (or a test) passes every dependency in.
 */
import type { Worker } from "bullmq";
import type { Logger } from "pino";
import {
  DELETE_FACES_QUEUE,
  QUEUE_PREFIX,
  SEARCH_FACES_QUEUE,
  type DeleteFacesJob,
  type DeleteFacesOutcome,
  type SearchFacesJob,
  type SearchFacesOutcome,
} from "@faceindex/contracts";
import { createDeleteFacesProcessor } from "./jobs/delete-faces.ts";
import { createExternalIdLock } from "./adapters/redis/external-id-lock.ts";
import type { FaceCollection } from "./adapters/rekognition/face-collection.ts";
import { createGalleryMap } from "./adapters/redis/gallery-map.ts";
import type { ImageStore } from "./adapters/s3/image-store.ts";
import { createParkedImages } from "./adapters/redis/parked-images.ts";
import { createQueueWorker, DEFAULT_LOCK_DURATION_MS, type QueueWorkerSettings } from "./runtime/queue-worker.ts";
import { createSearchFacesProcessor } from "./jobs/search-faces.ts";

export interface GalleryWorkerDeps extends Omit<QueueWorkerSettings, "prefix" | "logger"> {
  imageStore: Pick<ImageStore, "deleteImage">;
  faceCollection: Pick<FaceCollection, "searchFacesByImage" | "deleteFaces">;
  collectionId: string;
  logger: Logger;
  /** Overridable so tests run on their own queues; default to the contract's. */
  deleteQueueName?: string;
  searchQueueName?: string;
  prefix?: string;
}

export interface GalleryWorkers {
  deleteWorker: Worker<DeleteFacesJob, DeleteFacesOutcome>;
  searchWorker: Worker<SearchFacesJob, SearchFacesOutcome>;
  close(): Promise<void>;
}

/**
 * A throttle pauses only the queue whose call was throttled: AWS quotas are per operation (DeleteFaces,
 * SearchFacesByImage and IndexFaces each have their own TPS), so a throttled search does not stop erasures.
 */
export function createGalleryWorkers(deps: GalleryWorkerDeps): GalleryWorkers {
  const prefix = deps.prefix ?? QUEUE_PREFIX;
  const settings = { ...deps, prefix };
  const gallery = createGalleryMap(deps.redis, prefix, deps.collectionId);
  const deleteWorker = createQueueWorker(
    deps.deleteQueueName ?? DELETE_FACES_QUEUE,
    createDeleteFacesProcessor({
      faceCollection: deps.faceCollection,
      imageStore: deps.imageStore,
      gallery,
      // The lock of a killed worker must lapse no later than its job's, or the re-run finds it still held.
      lock: createExternalIdLock({
        redis: deps.redis,
        prefix,
        collectionId: deps.collectionId,
        ttlMs: deps.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS,
      }),
      collectionId: deps.collectionId,
      logger: deps.logger,
    }),
    settings,
  );
  const searchWorker = createQueueWorker(
    deps.searchQueueName ?? SEARCH_FACES_QUEUE,
    createSearchFacesProcessor({
      faceCollection: deps.faceCollection,
      gallery,
      parkedImages: createParkedImages(deps.redis),
      collectionId: deps.collectionId,
      logger: deps.logger,
    }),
    settings,
  );
  return {
    deleteWorker,
    searchWorker,
    async close() {
      await Promise.all([deleteWorker.close(), searchWorker.close()]);
    },
  };
}
