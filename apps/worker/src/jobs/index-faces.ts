/**
 * The index-faces job: parked bytes -> S3 object -> Rekognition IndexFaces -> outcome, under the
 * person's lock. The retry policy (outcomes returned, transient errors thrown until the last attempt)
 * and the parked image's clean-up are runtime/job-runner.ts's, shared with the delete and search jobs; the worker
 * runs that clean-up once the outcome is stored (runtime/queue-worker.ts).
 */
import type { Logger } from "pino";
import {
  DEFAULT_DEDUPE_THRESHOLD,
  indexFacesJobSchema,
  type FaceMatch,
  type IndexFacesJob,
  type IndexFacesOutcome,
} from "@faceindex/contracts";
import { duplicateMessage, findDuplicates } from "./duplicate-check.ts";
import type { ExternalIdLock } from "../adapters/redis/external-id-lock.ts";
import type { FaceCollection } from "../adapters/rekognition/face-collection.ts";
import type { GalleryMap } from "../adapters/redis/gallery-map.ts";
import type { FaceIndex } from "../adapters/rekognition/face-index.ts";
import { EXTERNAL_ID_METADATA, type ImageStore } from "../adapters/s3/image-store.ts";
import { indexedOutcome } from "./index-outcome.ts";
import type { ParkedImages } from "../adapters/redis/parked-images.ts";
import { IMAGE_EXPIRED, removeParkedImageOf } from "./parked-image.ts";
import { createJobRunner, type ProcessedJob, type RunContext } from "../runtime/job-runner.ts";

export interface IndexFaceDeps {
  imageStore: Pick<ImageStore, "putImage">;
  faceIndex: Pick<FaceIndex, "indexFaces">;
  parkedImages: ParkedImages;
  collectionId: string;
  logger: Pick<Logger, "child">;
  /** The gallery mapping written for each indexed face (createWorker always passes it). */
  gallery?: Pick<GalleryMap, "record" | "lookup">;
  /** Serialises index and delete of one (bucket, external id) (createWorker always passes it). */
  lock?: ExternalIdLock;
  /** Needed for dedupe "flag" / "reject"; without it such jobs fail with DEDUPE_UNAVAILABLE. */
  faceCollection?: Pick<FaceCollection, "searchFacesByImage">;
}

/** The parts of a BullMQ job the processor reads. */
export type IndexFaceJob = ProcessedJob;

export function createIndexFaceProcessor(deps: IndexFaceDeps) {
  const lock = deps.lock;
  return createJobRunner<IndexFacesJob, IndexFacesOutcome>({
    name: "index-faces",
    schema: indexFacesJobSchema,
    logger: deps.logger,
    firstStage: lock ? "waiting for other requests for this external id" : "reading the uploaded image",
    run: (job, context) =>
      lock ? lock.withLock(job.bucket, job.externalImageId, () => indexFace(job, context)) : indexFace(job, context),
    // Only once the job's final outcome is stored (a retry or a re-run needs the bytes), even for an invalid payload.
    cleanup: (data) => removeParkedImageOf(deps.parkedImages, data),
  });

  async function indexFace(job: IndexFacesJob, { enter }: RunContext): Promise<IndexFacesOutcome> {
    enter("reading the uploaded image");
    const bytes = await deps.parkedImages.read(job.imageKey);
    if (!bytes) return IMAGE_EXPIRED;
    enter("storing the image in S3");
    const metadata = { [EXTERNAL_ID_METADATA]: job.externalImageId };
    const { etag } = await deps.imageStore.putImage(job.bucket, job.objectKey, bytes, job.contentType, metadata);
    let duplicates: FaceMatch[] | undefined;
    if (job.dedupe === "flag" || job.dedupe === "reject") {
      if (!deps.faceCollection || !deps.gallery) {
        return {
          status: "failed",
          code: "DEDUPE_UNAVAILABLE",
          retryable: false,
          message: "This worker cannot check for duplicates",
        };
      }
      enter("checking for duplicate faces");
      duplicates = await findDuplicates(
        { faceCollection: deps.faceCollection, gallery: deps.gallery, collectionId: deps.collectionId },
        {
          bucket: job.bucket,
          key: job.objectKey,
          externalImageId: job.externalImageId,
          threshold: job.dedupeThreshold ?? DEFAULT_DEDUPE_THRESHOLD,
        },
      );
      // The stored object stays: the caller chose its key, and a refused enrolment is evidence for review.
      if (job.dedupe === "reject" && duplicates.length > 0) {
        return { status: "duplicate", message: duplicateMessage(duplicates), duplicates };
      }
    }
    enter("indexing faces in Rekognition");
    const result = await deps.faceIndex.indexFaces({
      collectionId: deps.collectionId,
      bucket: job.bucket,
      key: job.objectKey,
      externalImageId: job.externalImageId,
      maxFaces: job.maxFaces,
      qualityFilter: job.qualityFilter,
    });
    enter("recording the faces in the gallery");
    // A failure here is transient and retried; IndexFaces of the same bytes and external id is idempotent.
    const faces = result.indexed.map((face) => ({ faceId: face.face_id, imageKey: job.objectKey }));
    await deps.gallery?.record(job.bucket, job.externalImageId, faces);
    const outcome = indexedOutcome(deps.collectionId, { bucket: job.bucket, key: job.objectKey, etag }, result);
    return duplicates && outcome.status === "indexed" ? { ...outcome, data: { ...outcome.data, duplicates } } : outcome;
  }
}
