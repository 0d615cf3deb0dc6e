/**
 * The worker's one table: per job kind of the catalog (@faceindex/contracts JOBS), the processor that
 * runs it. Each kind gets a BullMQ worker of its own on its own queue, so delete and search jobs never
 * wait behind a backlog of enrolments, and a throttle pauses only the queue whose call was throttled (AWS
 * quotas are per operation: IndexFaces, SearchFacesByImage and DeleteFaces each have their own TPS).
 * They all share one per-person lock and one gallery map. Never reads process.env: main.ts (or a test)
 * passes every dependency in.
 */
import type { Logger } from "pino";
import { JOB_KINDS, type JobKind, type JobOutcome } from "@faceindex/contracts";
import { createExternalIdLock } from "./adapters/redis/external-id-lock.ts";
import { createGalleryMap } from "./adapters/redis/gallery-map.ts";
import { createParkedImages } from "./adapters/redis/parked-images.ts";
import type { FaceCollection } from "./adapters/rekognition/face-collection.ts";
import type { FaceIndex } from "./adapters/rekognition/face-index.ts";
import type { ImageStore } from "./adapters/s3/image-store.ts";
import { createDeleteFacesProcessor, type DeleteFacesDeps } from "./jobs/delete-faces.ts";
import { createIndexFacesProcessor, type IndexFacesDeps } from "./jobs/index-faces.ts";
import { createSearchFacesProcessor, type SearchFacesDeps } from "./jobs/search-faces.ts";
import type { JobRunner } from "./runtime/job-runner.ts";
import {
  createQueueWorker,
  DEFAULT_LOCK_DURATION_MS,
  type KindWorker,
  type QueueWorkerSettings,
} from "./runtime/queue-worker.ts";

export interface WorkerDeps extends Omit<QueueWorkerSettings, "logger"> {
  imageStore: Pick<ImageStore, "putImage" | "deleteImage">;
  faceIndex: Pick<FaceIndex, "indexFaces">;
  faceCollection: Pick<FaceCollection, "searchFacesByImage" | "deleteFaces">;
  collectionId: string;
  logger: Logger;
}

/** Everything a processor may take; each one's deps are a narrow part of it. */
type ProcessorDeps = IndexFacesDeps & SearchFacesDeps & DeleteFacesDeps;

/** The table: a new kind in the catalog gets its processor here (the type insists). */
const PROCESSORS: { [Kind in JobKind]: (deps: ProcessorDeps) => JobRunner<JobOutcome<Kind>> } = {
  index: createIndexFacesProcessor,
  search: createSearchFacesProcessor,
  delete: createDeleteFacesProcessor,
};

export interface Workers {
  /** The BullMQ worker of each kind started. */
  byKind: Partial<{ [Kind in JobKind]: KindWorker<Kind> }>;
  /** Stops taking jobs and waits for the active ones. */
  close(): Promise<void>;
}

/**
 * Starts a worker for each of `kinds`: every kind of the catalog in production; a test starts the ones
 * it exercises, or starts some later (a second call builds its own lock and map, as a second process would).
 */
export function createWorkers(deps: WorkerDeps, kinds: readonly JobKind[] = JOB_KINDS): Workers {
  const shared: ProcessorDeps = {
    ...deps,
    gallery: createGalleryMap(deps.redis, deps.prefix, deps.collectionId),
    // The lock of a killed worker must lapse no later than its job's, or the re-run finds it still held.
    lock: createExternalIdLock({
      redis: deps.redis,
      prefix: deps.prefix,
      collectionId: deps.collectionId,
      ttlMs: deps.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS,
    }),
    parkedImages: createParkedImages(deps.redis),
  };
  const byKind: Workers["byKind"] = {};
  const start = <Kind extends JobKind>(kind: Kind) => createQueueWorker(kind, PROCESSORS[kind](shared), deps);
  for (const kind of kinds) Object.assign(byKind, { [kind]: start(kind) });
  return {
    byKind,
    async close() {
      await Promise.all(Object.values(byKind).map((worker) => worker.close()));
    },
  };
}
