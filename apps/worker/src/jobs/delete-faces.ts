/**
 * The delete-faces job (erasure on request), in the job's collection and under the person's lock: the
 * faces mapped to (bucket, external id) -> DeleteFaces -> optionally every S3 object ever stored for the
 * person (stored-objects.ts: indexed images, no-face and refused uploads, every key used) -> the mapping
 * entries and the record -> audit entry. Rekognition is asked first, then S3, then the records, so a
 * failure part-way leaves records pointing at what is left to retry, never the reverse.
 */
import type { Logger } from "pino";
import type { DeleteFacesJob, DeleteFacesOutcome, DeletedFacesData } from "@faceindex/contracts";
import type { AuditLog } from "../adapters/redis/audit-log.ts";
import type { ObjectClaims } from "../adapters/redis/object-claims.ts";
import type { StoredObjects } from "../adapters/redis/stored-objects.ts";
import type { FaceCollection } from "../adapters/rekognition/face-collection.ts";
import type { ImageStore } from "../adapters/s3/image-store.ts";
import { createJobRunner, type RunContext } from "../runtime/job-runner.ts";
import { auditEntry } from "./audit-entries.ts";
import type { CollectionScope, ScopeFor } from "./collection-scope.ts";
import { ownsImageKey } from "./image-key-owner.ts";

export interface DeleteFacesDeps {
  faceCollection: Pick<FaceCollection, "deleteFaces">;
  imageStore: Pick<ImageStore, "deleteImage" | "headImage">;
  scopeFor: ScopeFor;
  claims: ObjectClaims;
  storedObjects: Pick<StoredObjects, "keysOf" | "forget" | "remember">;
  audit: AuditLog;
  logger: Pick<Logger, "child">;
}

export function createDeleteFacesProcessor(deps: DeleteFacesDeps) {
  return createJobRunner({
    kind: "delete",
    logger: deps.logger,
    firstStage: "waiting for other requests for this external id",
    async run(job, context) {
      const scope = await deps.scopeFor(job.collectionId);
      const outcome = await scope.lock.withLock(job.bucket, job.externalImageId, () =>
        deletePerson(job, scope, context),
      );
      const data = outcome.status === "deleted" ? outcome.data : undefined;
      await deps.audit.record(
        job.tenant,
        auditEntry(job, context.jobId, {
          action: "erase",
          externalImageId: job.externalImageId,
          faceIds: data?.deleted_face_ids ?? [],
          objectKeys: data?.deleted_image_keys ?? [],
          outcome,
        }),
      );
      return outcome;
    },
  });

  async function deletePerson(
    job: DeleteFacesJob,
    scope: CollectionScope,
    { ranBefore, enter }: RunContext,
  ): Promise<DeleteFacesOutcome> {
    enter("reading the gallery mapping");
    const mapped = await scope.gallery.facesOf(job.bucket, job.externalImageId);
    const recorded = await deps.storedObjects.keysOf(job.tenant, job.bucket, job.externalImageId);
    const notFound: DeleteFacesOutcome = {
      status: "not_found",
      message: `No face was found for external_image_id ${job.externalImageId} in bucket ${job.bucket}, and no image is stored for it`,
    };
    if (mapped.length === 0 && recorded.length === 0) return notFound;

    let deletedIds: string[] = [];
    let unsuccessful: { face_id: string; reasons: string[] }[] = [];
    let goneFaces: typeof mapped = [];
    if (mapped.length > 0) {
      enter("deleting faces in Rekognition");
      const result = await deps.faceCollection.deleteFaces(
        scope.collectionId,
        mapped.map((face) => face.faceId),
      );
      const missing = new Set(
        result.unsuccessful.filter((face) => face.reasons.includes("FACE_NOT_FOUND")).map((face) => face.face_id),
      );
      // A re-run (retry, throttled, or after its worker died) finds the faces an earlier run deleted already
      // missing: they count as deleted then. On a first run, faces all missing means a stale mapping.
      deletedIds = ranBefore ? [...result.deleted, ...missing] : result.deleted;
      unsuccessful = result.unsuccessful.filter((face) => !deletedIds.includes(face.face_id));
      const gone = new Set([...result.deleted, ...missing]);
      goneFaces = mapped.filter((face) => gone.has(face.faceId));
      const staleOnly = deletedIds.length === 0 && missing.size === result.unsuccessful.length;
      if (staleOnly && recorded.length === 0) {
        enter("updating the gallery mapping");
        await scope.gallery.forget(
          job.bucket,
          job.externalImageId,
          goneFaces.map((face) => face.faceId),
        );
        return notFound;
      }
    }

    // Every key of the person: the record's, and the mapping's (faces indexed before the record existed).
    const keys = [...new Set([...recorded, ...goneFaces.flatMap((face) => (face.imageKey ? [face.imageKey] : []))])];
    let images: Pick<DeletedFacesData, "deleted_image_keys" | "faces_with_unknown_image" | "remaining_image_keys">;
    if (job.deleteImage) {
      enter("deleting images in S3");
      const owner = { tenant: job.tenant, externalImageId: job.externalImageId };
      const deleted: string[] = [];
      // Sequential: one person has a handful of images, and S3 deletes of a missing key succeed (idempotent).
      for (const key of keys) {
        // A key another person holds now (recorded, then lost to them before the upload) is not this person's.
        if (!(await ownsImageKey(deps, { ...owner, bucket: job.bucket, key }))) continue;
        await deps.imageStore.deleteImage(job.bucket, key);
        await deps.claims.release(job.bucket, key, owner);
        deleted.push(key);
      }
      images = {
        deleted_image_keys: deleted,
        faces_with_unknown_image: goneFaces.filter((face) => !face.imageKey).length,
      };
    } else {
      // Keys only the mapping knew (faces indexed before the record existed) join the record, so a later
      // erasure with delete_image still finds them once the mapping entries below are gone.
      for (const key of keys.filter((key) => !recorded.includes(key))) {
        await deps.storedObjects.remember(job.tenant, job.bucket, job.externalImageId, key);
      }
      images = { remaining_image_keys: keys };
    }

    enter("updating the gallery mapping");
    await scope.gallery.forget(
      job.bucket,
      job.externalImageId,
      goneFaces.map((face) => face.faceId),
    );
    if (job.deleteImage) await deps.storedObjects.forget(job.tenant, job.bucket, job.externalImageId, recorded);
    return {
      status: "deleted",
      data: {
        deleted_face_ids: deletedIds,
        unsuccessful_face_deletions: unsuccessful,
        external_image_id: job.externalImageId,
        bucket: job.bucket,
        collection_id: scope.collectionId,
        ...images,
      },
    };
  }
}
