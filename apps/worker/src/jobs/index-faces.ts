/**
 * The index-faces job: parked bytes -> image key check -> S3 object -> (duplicate check) -> Rekognition
 * IndexFaces -> gallery mapping -> audit entry -> outcome, in the job's collection and under the person's
 * lock. The retry policy (outcomes returned, transient errors thrown until the last attempt) is
 * runtime/job-runner.ts's, shared with every kind; the parked image is freed (parked-image.ts) once the
 * outcome is stored (runtime/queue-worker.ts).
 */
import type { Logger } from "pino";
import {
  DEFAULT_DEDUPE_THRESHOLD,
  failedOutcome,
  IMAGE_KEY_TAKEN,
  type FaceMatch,
  type IndexFacesJob,
  type IndexFacesOutcome,
} from "@faceindex/contracts";
import type { AuditLog } from "../adapters/redis/audit-log.ts";
import type { ObjectClaims } from "../adapters/redis/object-claims.ts";
import type { ParkedImages } from "../adapters/redis/parked-images.ts";
import type { StoredObjects } from "../adapters/redis/stored-objects.ts";
import type { FaceCollection } from "../adapters/rekognition/face-collection.ts";
import type { FaceIndex } from "../adapters/rekognition/face-index.ts";
import type { ImageStore } from "../adapters/s3/image-store.ts";
import { createJobRunner, type RunContext } from "../runtime/job-runner.ts";
import { auditEntry } from "./audit-entries.ts";
import type { CollectionScope, ScopeFor } from "./collection-scope.ts";
import { duplicateMessage, findDuplicates } from "./duplicate-check.ts";
import { claimImageKey, writeOwnedImage } from "./image-key-owner.ts";
import { indexedOutcome } from "./index-outcome.ts";
import { IMAGE_EXPIRED, removeParkedImageOf } from "./parked-image.ts";
import { checkCaptureQuality, type QualityGateDeps } from "./quality-gate.ts";

export interface IndexFacesDeps extends QualityGateDeps {
  imageStore: Pick<ImageStore, "putImage" | "headImage" | "conditionalWrites">;
  faceIndex: Pick<FaceIndex, "indexFaces">;
  /** For dedupe "flag" / "reject" (SearchFacesByImage with the stored object). */
  faceCollection: Pick<FaceCollection, "searchFacesByImage">;
  parkedImages: ParkedImages;
  /** The job's collection, its gallery mapping (written per indexed face) and per-person lock. */
  scopeFor: ScopeFor;
  /** Who holds each S3 key (IMAGE_KEY_TAKEN). */
  claims: ObjectClaims;
  /** Every key stored for a person, for a complete erasure. */
  storedObjects: Pick<StoredObjects, "remember">;
  audit: AuditLog;
  logger: Pick<Logger, "child">;
}

export function createIndexFacesProcessor(deps: IndexFacesDeps) {
  return createJobRunner({
    kind: "index",
    logger: deps.logger,
    firstStage: "waiting for other requests for this external id",
    async run(job, context) {
      const scope = await deps.scopeFor(job.collectionId);
      // Read while the lock is taken, not after: one round trip less per job. If the lock is busy the job is put
      // back and the bytes are simply dropped (the catch keeps a failed read from going unhandled meanwhile).
      const parked = deps.parkedImages.read(job.imageKey);
      parked.catch(() => undefined);
      return scope.lock.withLock(job.bucket, job.externalImageId, () => indexFace(job, scope, context, parked));
    },
    // Only once the job's final outcome is stored (a retry or a re-run needs the bytes), even for an invalid payload.
    cleanup: (data) => removeParkedImageOf(deps.parkedImages, data),
  });

  async function indexFace(
    job: IndexFacesJob,
    scope: CollectionScope,
    context: RunContext,
    parked: Promise<Buffer | null>,
  ): Promise<IndexFacesOutcome> {
    const { enter } = context;
    const audit = (facts: Parameters<typeof auditEntry>[2]) =>
      deps.audit.record(job.tenant, auditEntry(job, context.jobId, facts));
    /** A refusal is audited with the object it concerns (kept: the caller chose its key), then returned. */
    const refuse = async <Outcome extends IndexFacesOutcome>(outcome: Outcome, matches?: FaceMatch[]) => {
      await audit({
        action: "refuse",
        externalImageId: job.externalImageId,
        objectKeys: [job.objectKey],
        ...(matches ? { matches } : {}),
        outcome,
      });
      return outcome;
    };
    enter("reading the uploaded image");
    const bytes = await parked;
    if (!bytes) return IMAGE_EXPIRED;

    enter("checking the image key");
    const owner = { tenant: job.tenant, externalImageId: job.externalImageId };
    const target = { ...owner, bucket: job.bucket, key: job.objectKey };
    const keyStatus = await claimImageKey(deps, target);
    const refuseTakenKey = async () => {
      const taken = failedOutcome(
        IMAGE_KEY_TAKEN,
        `The image key ${job.objectKey} already holds the image of another external id; choose another key`,
        false,
      );
      return refuse(taken);
    };
    if (keyStatus === "taken") return refuseTakenKey();

    enter("storing the image in S3");
    // Recorded before the upload: whatever happens next, an erasure can find the object.
    await deps.storedObjects.remember(job.tenant, job.bucket, job.externalImageId, job.objectKey);
    const image = { bytes, contentType: job.contentType, ...(job.imageSha256 ? { sha256: job.imageSha256 } : {}) };
    const stored = await writeOwnedImage(deps, target, keyStatus, image);
    if (!stored) return refuseTakenKey();

    if (job.qualityGate === "enforce") {
      enter("checking the capture quality");
      // Before the duplicate check and IndexFaces: a refused capture costs neither. The object stays, as below.
      const rejected = await checkCaptureQuality(deps, { bucket: job.bucket, key: job.objectKey });
      if (rejected) return refuse(rejected);
    }

    let duplicates: FaceMatch[] | undefined;
    if (job.dedupe === "flag" || job.dedupe === "reject") {
      enter("checking for duplicate faces");
      duplicates = await findDuplicates(
        { ...deps, gallery: scope.gallery, collectionId: scope.collectionId },
        {
          bucket: job.bucket,
          key: job.objectKey,
          externalImageId: job.externalImageId,
          threshold: job.dedupeThreshold ?? DEFAULT_DEDUPE_THRESHOLD,
        },
      );
      // The stored object stays (recorded for erasure): the caller chose its key, and a refused enrolment is
      // evidence for review.
      if (job.dedupe === "reject" && duplicates.length > 0) {
        const outcome = { status: "duplicate" as const, message: duplicateMessage(duplicates), duplicates };
        return refuse(outcome, duplicates);
      }
    }
    enter("indexing faces in Rekognition");
    const result = await deps.faceIndex.indexFaces({
      collectionId: scope.collectionId,
      bucket: job.bucket,
      key: job.objectKey,
      externalImageId: job.externalImageId,
      maxFaces: job.maxFaces,
      qualityFilter: job.qualityFilter,
    });
    enter("recording the faces in the gallery");
    // A failure here is transient and retried; IndexFaces of the same bytes and external id is idempotent.
    const faces = result.indexed.map((face) => ({ faceId: face.face_id, imageKey: job.objectKey }));
    await scope.gallery.record(job.bucket, job.externalImageId, faces);
    const s3 = { bucket: job.bucket, key: job.objectKey, etag: stored.etag };
    const outcome = indexedOutcome(scope.collectionId, s3, result);
    enter("recording the audit trail");
    await audit({
      action: outcome.status === "indexed" ? "enrol" : "refuse",
      externalImageId: job.externalImageId,
      faceIds: faces.map((face) => face.faceId),
      objectKeys: [job.objectKey],
      ...(duplicates ? { matches: duplicates } : {}),
      outcome,
    });
    return duplicates && outcome.status === "indexed" ? { ...outcome, data: { ...outcome.data, duplicates } } : outcome;
  }
}
