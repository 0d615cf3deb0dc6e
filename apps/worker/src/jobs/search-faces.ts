/**
 * The search-faces job (duplicate check by photo): parked bytes -> SearchFacesByImage with Image.Bytes in
 * the job's collection -> matches with bucket and key from that collection's gallery mapping -> audit entry
 * (the tenant's search trail and each matched person's). The probe never goes to S3, and its parked bytes
 * are deleted as soon as the job's outcome is stored (runtime/queue-worker.ts).
 */
import type { Logger } from "pino";
import type { AuditLog } from "../adapters/redis/audit-log.ts";
import type { ParkedImages } from "../adapters/redis/parked-images.ts";
import type { FaceCollection } from "../adapters/rekognition/face-collection.ts";
import { createJobRunner } from "../runtime/job-runner.ts";
import { auditEntry } from "./audit-entries.ts";
import type { ScopeFor } from "./collection-scope.ts";
import { withGalleryDetails } from "./face-matches.ts";
import { IMAGE_EXPIRED, removeParkedImageOf } from "./parked-image.ts";

export interface SearchFacesDeps {
  faceCollection: Pick<FaceCollection, "searchFacesByImage">;
  parkedImages: ParkedImages;
  scopeFor: ScopeFor;
  audit: AuditLog;
  logger: Pick<Logger, "child">;
}

export function createSearchFacesProcessor(deps: SearchFacesDeps) {
  return createJobRunner({
    kind: "search",
    logger: deps.logger,
    firstStage: "reading the uploaded image",
    async run(job, { enter, jobId }) {
      const bytes = await deps.parkedImages.read(job.imageKey);
      if (!bytes) return IMAGE_EXPIRED;
      const scope = await deps.scopeFor(job.collectionId);
      enter("searching faces in Rekognition");
      const result = await deps.faceCollection.searchFacesByImage({
        collectionId: scope.collectionId,
        image: { bytes },
        threshold: job.threshold,
        maxFaces: job.maxMatches,
      });
      if (!result) {
        const outcome = {
          status: "no_face" as const,
          message: "No face was found in the image, so there is nothing to search with",
        };
        await deps.audit.record(
          job.tenant,
          auditEntry(job, jobId, { action: "search", externalImageId: null, outcome }),
        );
        return outcome;
      }
      enter("reading the gallery mapping");
      const matches = await withGalleryDetails(result.matches, scope.gallery);
      const outcome = { status: "searched" as const, data: { matches, searched_face: result.searchedFace } };
      enter("recording the audit trail");
      await deps.audit.record(
        job.tenant,
        auditEntry(job, jobId, { action: "search", externalImageId: null, matches, outcome }),
      );
      return outcome;
    },
    // Only the key the job names, and only once the job's final outcome is stored: a retry or a re-run needs the bytes.
    cleanup: (data) => removeParkedImageOf(deps.parkedImages, data),
  });
}
