/**
 * The index-faces job: parked bytes -> S3 object -> Rekognition IndexFaces -> outcome.
 *
 * Business results and permanent errors are RETURNED as an outcome (a waiter only ever sees a failed
 * job's message). Transient errors are THROWN so BullMQ retries them with the job's backoff, except on
 * the last attempt, where the failure is returned too so the API always gets a value.
 */
import type { Job } from "bullmq";
import type { Logger } from "pino";
import { indexFacesJobSchema, type IndexFacesJob, type IndexFacesOutcome } from "@faceindex/contracts";
import { classifyError } from "./classify-error.ts";
import type { FaceIndex } from "./face-index.ts";
import type { ImageStore } from "./image-store.ts";
import { indexedOutcome } from "./outcome.ts";
import type { ParkedImages } from "./parked-image.ts";

export interface IndexFaceDeps {
  imageStore: Pick<ImageStore, "putImage">;
  faceIndex: Pick<FaceIndex, "indexFaces">;
  parkedImages: ParkedImages;
  collectionId: string;
  logger: Pick<Logger, "child">;
}

/** The parts of a BullMQ job the processor reads. */
export type IndexFaceJob = Pick<Job, "id" | "data" | "attemptsMade" | "opts">;

type Stage = "reading the uploaded image" | "storing the image in S3" | "indexing faces in Rekognition";

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
      outcome = await run(payload, (next) => (stage = next));
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
      const { etag } = await deps.imageStore.putImage(job.bucket, job.objectKey, bytes, job.contentType);
      enter("indexing faces in Rekognition");
      const result = await deps.faceIndex.indexFaces({
        collectionId: deps.collectionId,
        bucket: job.bucket,
        key: job.objectKey,
        externalImageId: job.externalImageId,
        maxFaces: job.maxFaces,
        qualityFilter: job.qualityFilter,
      });
      return indexedOutcome(deps.collectionId, { bucket: job.bucket, key: job.objectKey, etag }, result);
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
