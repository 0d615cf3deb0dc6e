/**
 * The index-faces job: parked bytes -> S3 object -> Rekognition IndexFaces -> outcome.
 *
 * Business results and permanent errors are RETURNED as an outcome (a waiter only ever sees a failed
 * job's message). Transient errors are THROWN so BullMQ retries them with the job's backoff, except on
 * the last attempt, where the failure is returned too so the API always gets a value.
 */
import type { Job } from "bullmq";
import type { Logger } from "pino";
import {
  DEFAULT_DEDUPE_THRESHOLD,
  indexFacesJobSchema,
  type FaceMatch,
  type IndexFacesJob,
  type IndexFacesOutcome,
} from "@faceindex/contracts";
import { classifyError } from "./classify-error.ts";
import { duplicateMessage, findDuplicates } from "./duplicate-check.ts";
import type { ExternalIdLock } from "./external-id-lock.ts";
import type { FaceCollection } from "./face-collection.ts";
import type { GalleryMap } from "./gallery-map.ts";
import type { FaceIndex } from "./face-index.ts";
import { EXTERNAL_ID_METADATA, type ImageStore } from "./image-store.ts";
import { indexedOutcome } from "./outcome.ts";
import type { ParkedImages } from "./parked-image.ts";

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
export type IndexFaceJob = Pick<Job, "id" | "data" | "attemptsMade" | "opts">;

type Stage =
  | "reading the uploaded image"
  | "waiting for other requests for this external id"
  | "storing the image in S3"
  | "checking for duplicate faces"
  | "indexing faces in Rekognition"
  | "recording the faces in the gallery";

export function createIndexFaceProcessor(deps: IndexFaceDeps) {
  return async function indexFace(job: IndexFaceJob): Promise<IndexFacesOutcome> {
    const started = performance.now();
    const attempt = job.attemptsMade + 1;
    const maxAttempts = job.opts.attempts ?? 1;
    const log = deps.logger.child({ jobId: job.id, attempt, maxAttempts });

    const parsed = indexFacesJobSchema.safeParse(job.data);
    if (!parsed.success) {
      const imageKey = (job.data as { imageKey?: unknown } | undefined)?.imageKey;
      if (typeof imageKey === "string") await removeParked(imageKey);
      const fields = parsed.error.issues.map((issue) => issue.path.join(".")).join(", ");
      const outcome: IndexFacesOutcome = {
        status: "failed",
        code: "INVALID_JOB",
        retryable: false,
        message: `The job's payload is invalid (${fields})`,
      };
      log.error({ status: outcome.status, code: outcome.code, durationMs: elapsed() }, "index-faces job rejected");
      return outcome;
    }
    const payload = parsed.data;

    let stage: Stage = "reading the uploaded image";
    let outcome: IndexFacesOutcome;
    try {
      const enter = (next: Stage) => (stage = next);
      const lock = deps.lock;
      if (lock) enter("waiting for other requests for this external id");
      outcome = lock
        ? await lock.withLock(payload.bucket, payload.externalImageId, () => run(payload, enter))
        : await run(payload, enter);
    } catch (error) {
      const classified = classifyError(error);
      const details = { code: classified.code, kind: classified.kind, stage, durationMs: elapsed() };
      if (classified.kind === "transient" && attempt < maxAttempts) {
        // Keep the parked bytes: the retry needs them.
        log.warn(details, "index-faces attempt failed, will retry");
        throw error;
      }
      const message = `Failed ${stage}: ${classified.message}`;
      outcome = {
        status: "failed",
        code: classified.code,
        retryable: classified.kind === "transient",
        message: classified.kind === "transient" ? `${message} (gave up after ${attempt} attempts)` : message,
      };
    }

    await removeParked(payload.imageKey);
    const code = outcome.status === "failed" ? outcome.code : undefined;
    log.info({ status: outcome.status, code, durationMs: elapsed() }, "index-faces job finished");
    return outcome;

    async function run(job: IndexFacesJob, enter: (stage: Stage) => void): Promise<IndexFacesOutcome> {
      enter("reading the uploaded image");
      const bytes = await deps.parkedImages.read(job.imageKey);
      if (!bytes) {
        return {
          status: "failed",
          code: "IMAGE_EXPIRED",
          retryable: false,
          message: "The uploaded image expired before a worker took the job; send the request again",
        };
      }
      enter("storing the image in S3");
      const metadata = { [EXTERNAL_ID_METADATA]: job.externalImageId };
      const { etag } = await deps.imageStore.putImage(job.bucket, job.objectKey, bytes, job.contentType, metadata);
      let duplicates: FaceMatch[] | undefined;
      if (job.dedupe === "flag" || job.dedupe === "reject") {
        if (!deps.faceCollection || !deps.gallery) {
          return { status: "failed", code: "DEDUPE_UNAVAILABLE", retryable: false, message: "This worker cannot check for duplicates" };
        }
        enter("checking for duplicate faces");
        duplicates = await findDuplicates(
          { faceCollection: deps.faceCollection, gallery: deps.gallery, collectionId: deps.collectionId },
          { bucket: job.bucket, key: job.objectKey, externalImageId: job.externalImageId, threshold: job.dedupeThreshold ?? DEFAULT_DEDUPE_THRESHOLD },
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

    async function removeParked(key: string): Promise<void> {
      try {
        await deps.parkedImages.remove(key);
      } catch (error) {
        // The key has a TTL, so a failed delete only keeps the bytes a little longer; the outcome stands.
        log.warn({ code: classifyError(error).code }, "could not delete the parked image");
      }
    }

    function elapsed(): number {
      return Math.round(performance.now() - started);
    }
  };
}
