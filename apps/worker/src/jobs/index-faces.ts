/**
 * The index-faces job: parked bytes -> S3 object -> (duplicate check) -> Rekognition IndexFaces ->
 * gallery mapping -> outcome, under the person's lock. The retry policy (outcomes returned, transient
 * errors thrown until the last attempt) is runtime/job-runner.ts's, shared with every kind; the parked
 * image is freed (parked-image.ts) once the outcome is stored (runtime/queue-worker.ts).
 */
import type { Logger } from "pino";
import {
  DEFAULT_DEDUPE_THRESHOLD,
  type FaceMatch,
  type IndexFacesJob,
  type IndexFacesOutcome,
} from "@faceindex/contracts";
import type { ExternalIdLock } from "../adapters/redis/external-id-lock.ts";
import type { GalleryMap } from "../adapters/redis/gallery-map.ts";
import type { ParkedImages } from "../adapters/redis/parked-images.ts";
import type { FaceCollection } from "../adapters/rekognition/face-collection.ts";
import type { FaceIndex } from "../adapters/rekognition/face-index.ts";
import { EXTERNAL_ID_METADATA, type ImageStore } from "../adapters/s3/image-store.ts";
import { createJobRunner, type RunContext } from "../runtime/job-runner.ts";
import { duplicateMessage, findDuplicates } from "./duplicate-check.ts";
import { indexedOutcome } from "./index-outcome.ts";
import { IMAGE_EXPIRED, removeParkedImageOf } from "./parked-image.ts";

export interface IndexFacesDeps {
  imageStore: Pick<ImageStore, "putImage">;
  faceIndex: Pick<FaceIndex, "indexFaces">;
  /** For dedupe "flag" / "reject" (SearchFacesByImage with the stored object). */
  faceCollection: Pick<FaceCollection, "searchFacesByImage">;
  parkedImages: ParkedImages;
  /** The gallery mapping written for each indexed face, and read for the duplicates' details. */
  gallery: Pick<GalleryMap, "record" | "lookup">;
  /** Serialises index and delete of one (bucket, external id). */
  lock: ExternalIdLock;
  collectionId: string;
  logger: Pick<Logger, "child">;
}

export function createIndexFacesProcessor(deps: IndexFacesDeps) {
  return createJobRunner({
    kind: "index",
    logger: deps.logger,
    firstStage: "waiting for other requests for this external id",
    run: (job, context) => deps.lock.withLock(job.bucket, job.externalImageId, () => indexFace(job, context)),
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
      enter("checking for duplicate faces");
      duplicates = await findDuplicates(deps, {
        bucket: job.bucket,
        key: job.objectKey,
        externalImageId: job.externalImageId,
        threshold: job.dedupeThreshold ?? DEFAULT_DEDUPE_THRESHOLD,
      });
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
    await deps.gallery.record(job.bucket, job.externalImageId, faces);
    const outcome = indexedOutcome(deps.collectionId, { bucket: job.bucket, key: job.objectKey, etag }, result);
    return duplicates && outcome.status === "indexed" ? { ...outcome, data: { ...outcome.data, duplicates } } : outcome;
  }
}
