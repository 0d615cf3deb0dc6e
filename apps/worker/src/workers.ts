/**
 * The worker's one table: per job kind of the catalog (@faceindex/contracts JOBS), the processor that
 * runs it. Each kind gets a BullMQ worker of its own on its own queue, so delete and search jobs never
 * wait behind a backlog of enrolments, and a throttle pauses only the queue whose call was throttled (AWS
 * quotas are per operation: IndexFaces, SearchFacesByImage and DeleteFaces each have their own TPS).
 * They all share the per-collection scopes (gallery map and per-person lock of each tenant's collection,
 * created on first use), the S3 key claims, the record of stored objects and the audit trail. Never reads
 * process.env: main.ts (or a test) passes every dependency in.
 */
import type { Logger } from "pino";
import { DEFAULT_AUDIT_RETENTION_DAYS } from "@faceindex/audit";
import { JOB_KINDS, type JobKind, type JobOutcome } from "@faceindex/contracts";
import { createAuditLog } from "./adapters/redis/audit-log.ts";
import { createObjectClaims } from "./adapters/redis/object-claims.ts";
import { createParkedImages } from "./adapters/redis/parked-images.ts";
import { createStoredObjects } from "./adapters/redis/stored-objects.ts";
import { createCollections } from "./adapters/rekognition/collections.ts";
import type { FaceCollection } from "./adapters/rekognition/face-collection.ts";
import type { FaceDetector } from "./adapters/rekognition/face-detector.ts";
import type { FaceIndex } from "./adapters/rekognition/face-index.ts";
import type { ImageStore } from "./adapters/s3/image-store.ts";
import { createScopeFor } from "./jobs/collection-scope.ts";
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
  imageStore: Pick<ImageStore, "putImage" | "headImage" | "deleteImage" | "conditionalWrites">;
  faceIndex: Pick<FaceIndex, "indexFaces" | "ensureCollection">;
  faceCollection: Pick<FaceCollection, "searchFacesByImage" | "deleteFaces">;
  /** DetectFaces for the quality gate of enrolments that ask for it (jobs/quality-gate.ts). */
  faceDetector: Pick<FaceDetector, "detectFaces">;
  /** The collection of jobs that name none (queued by an API older than tenants): COLLECTION_ID. */
  collectionId: string;
  /** How long audit entries are kept (AUDIT_RETENTION_DAYS); unset = DEFAULT_AUDIT_RETENTION_DAYS. */
  auditRetentionMs?: number;
  logger: Logger;
}

const DAY_MS = 24 * 3600 * 1000;

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
    scopeFor: createScopeFor({
      redis: deps.redis,
      prefix: deps.prefix,
      collections: createCollections(deps.faceIndex, deps.collectionId),
      // The lock of a killed worker must lapse no later than its job's, or the re-run finds it still held.
      lockTtlMs: deps.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS,
    }),
    claims: createObjectClaims(deps.redis, deps.prefix),
    storedObjects: createStoredObjects(deps.redis, deps.prefix),
    audit: createAuditLog(deps.redis, deps.prefix, deps.auditRetentionMs ?? DEFAULT_AUDIT_RETENTION_DAYS * DAY_MS),
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
