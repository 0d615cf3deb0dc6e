/**
 * The BullMQ workers of the gallery queues, one per queue (delete-faces, search-faces), next to the
 * index-faces worker of app.ts. Never reads process.env: main.ts (or a test) passes every dependency in.
 */
import { Worker } from "bullmq";
import type { Redis } from "ioredis";
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
import { createDeleteFacesProcessor } from "./delete-faces.ts";
import { createExternalIdLock } from "./external-id-lock.ts";
import type { FaceCollection } from "./face-collection.ts";
import { createGalleryMap } from "./gallery-map.ts";
import type { ImageStore } from "./image-store.ts";
import { createParkedImages } from "./parked-image.ts";
import { createSearchFacesProcessor } from "./search-faces.ts";

export interface GalleryWorkerDeps {
  /** ioredis with `maxRetriesPerRequest: null`; also holds the mapping, the locks and the parked probes. */
  redis: Redis;
  imageStore: Pick<ImageStore, "deleteImage">;
  faceCollection: Pick<FaceCollection, "searchFacesByImage" | "deleteFaces">;
  collectionId: string;
  logger: Logger;
  /** Jobs in flight at once per queue in this process. */
  concurrency: number;
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

export function createGalleryWorkers(deps: GalleryWorkerDeps): GalleryWorkers {
  const prefix = deps.prefix ?? QUEUE_PREFIX;
  const gallery = createGalleryMap(deps.redis, prefix, deps.collectionId);
  const options = { connection: deps.redis, prefix, concurrency: deps.concurrency };
  const deleteWorker = new Worker<DeleteFacesJob, DeleteFacesOutcome>(
    deps.deleteQueueName ?? DELETE_FACES_QUEUE,
    createDeleteFacesProcessor({
      faceCollection: deps.faceCollection,
      imageStore: deps.imageStore,
      gallery,
      lock: createExternalIdLock({ redis: deps.redis, prefix, collectionId: deps.collectionId }),
      collectionId: deps.collectionId,
      logger: deps.logger,
    }),
    options,
  );
  const searchWorker = new Worker<SearchFacesJob, SearchFacesOutcome>(
    deps.searchQueueName ?? SEARCH_FACES_QUEUE,
    createSearchFacesProcessor({
      faceCollection: deps.faceCollection,
      gallery,
      parkedImages: createParkedImages(deps.redis),
      collectionId: deps.collectionId,
      logger: deps.logger,
    }),
    options,
  );
  for (const worker of [deleteWorker, searchWorker]) {
    // Without a listener, a Redis error event would crash the process; ioredis reconnects by itself.
    worker.on("error", (error) => deps.logger.error({ err: { name: error.name, message: error.message } }, "worker error"));
  }
  return {
    deleteWorker,
    searchWorker,
    async close() {
      await Promise.all([deleteWorker.close(), searchWorker.close()]);
    },
  };
}
