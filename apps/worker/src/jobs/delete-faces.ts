/**
 * The delete-faces job (erasure on request): under the person's lock, the faces mapped to (bucket,
 * external id) -> DeleteFaces -> optionally their S3 objects -> the mapping entries. Rekognition is
 * asked first, so a failure part-way leaves the mapping pointing at faces to retry, never the reverse.
 */
import type { Logger } from "pino";
import type { DeleteFacesJob, DeleteFacesOutcome } from "@faceindex/contracts";
import type { ExternalIdLock } from "../adapters/redis/external-id-lock.ts";
import type { FaceCollection } from "../adapters/rekognition/face-collection.ts";
import type { GalleryMap } from "../adapters/redis/gallery-map.ts";
import type { ImageStore } from "../adapters/s3/image-store.ts";
import { createJobRunner, type RunContext } from "../runtime/job-runner.ts";

export interface DeleteFacesDeps {
  faceCollection: Pick<FaceCollection, "deleteFaces">;
  imageStore: Pick<ImageStore, "deleteImage">;
  gallery: Pick<GalleryMap, "facesOf" | "forget">;
  lock: ExternalIdLock;
  collectionId: string;
  logger: Pick<Logger, "child">;
}

export function createDeleteFacesProcessor(deps: DeleteFacesDeps) {
  return createJobRunner({
    kind: "delete",
    logger: deps.logger,
    firstStage: "waiting for other requests for this external id",
    run: (job, context) => deps.lock.withLock(job.bucket, job.externalImageId, () => deletePerson(job, context)),
  });

  async function deletePerson(job: DeleteFacesJob, { ranBefore, enter }: RunContext): Promise<DeleteFacesOutcome> {
    enter("reading the gallery mapping");
    const mapped = await deps.gallery.facesOf(job.bucket, job.externalImageId);
    const notFound: DeleteFacesOutcome = {
      status: "not_found",
      message: `No face was found for external_image_id ${job.externalImageId} in bucket ${job.bucket}`,
    };
    if (mapped.length === 0) return notFound;

    enter("deleting faces in Rekognition");
    const result = await deps.faceCollection.deleteFaces(
      deps.collectionId,
      mapped.map((face) => face.faceId),
    );
    const missing = new Set(
      result.unsuccessful.filter((face) => face.reasons.includes("FACE_NOT_FOUND")).map((face) => face.face_id),
    );
    // A re-run (retry, throttled, or after its worker died) finds the faces an earlier run deleted already
    // missing: they count as deleted then. On a first run, faces all missing means a stale mapping.
    const deletedIds = ranBefore ? [...result.deleted, ...missing] : result.deleted;
    const gone = new Set([...result.deleted, ...missing]);
    const goneFaces = mapped.filter((face) => gone.has(face.faceId));
    if (deletedIds.length === 0 && missing.size === result.unsuccessful.length) {
      enter("updating the gallery mapping");
      await deps.gallery.forget(
        job.bucket,
        job.externalImageId,
        goneFaces.map((face) => face.faceId),
      );
      return notFound;
    }

    let images: { deleted_image_keys: string[]; faces_with_unknown_image: number } | undefined;
    if (job.deleteImage) {
      enter("deleting images in S3");
      const keys = [...new Set(goneFaces.flatMap((face) => (face.imageKey ? [face.imageKey] : [])))];
      // Sequential: one person has a handful of images, and S3 deletes of a missing key succeed (idempotent).
      for (const key of keys) await deps.imageStore.deleteImage(job.bucket, key);
      images = {
        deleted_image_keys: keys,
        faces_with_unknown_image: goneFaces.filter((face) => !face.imageKey).length,
      };
    }

    enter("updating the gallery mapping");
    await deps.gallery.forget(
      job.bucket,
      job.externalImageId,
      goneFaces.map((face) => face.faceId),
    );
    return {
      status: "deleted",
      data: {
        deleted_face_ids: deletedIds,
        unsuccessful_face_deletions: result.unsuccessful.filter((face) => !deletedIds.includes(face.face_id)),
        external_image_id: job.externalImageId,
        bucket: job.bucket,
        collection_id: deps.collectionId,
        ...images,
      },
    };
  }
}
