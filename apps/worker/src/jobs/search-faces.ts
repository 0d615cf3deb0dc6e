/**
 * The search-faces job (duplicate check by photo): parked bytes -> SearchFacesByImage with Image.Bytes
 * -> matches with bucket and key from the gallery mapping. The probe never goes to S3, and its parked
 * bytes are deleted as soon as the job's outcome is stored (runtime/queue-worker.ts).
 */
import type { Logger } from "pino";
import type { FaceCollection } from "../adapters/rekognition/face-collection.ts";
import { withGalleryDetails } from "./face-matches.ts";
import type { GalleryMap } from "../adapters/redis/gallery-map.ts";
import type { ParkedImages } from "../adapters/redis/parked-images.ts";
import { IMAGE_EXPIRED, removeParkedImageOf } from "./parked-image.ts";
import { createJobRunner } from "../runtime/job-runner.ts";

export interface SearchFacesDeps {
  faceCollection: Pick<FaceCollection, "searchFacesByImage">;
  gallery: Pick<GalleryMap, "lookup">;
  parkedImages: ParkedImages;
  collectionId: string;
  logger: Pick<Logger, "child">;
}

export function createSearchFacesProcessor(deps: SearchFacesDeps) {
  return createJobRunner({
    kind: "search",
    logger: deps.logger,
    firstStage: "reading the uploaded image",
    async run(job, { enter }) {
      const bytes = await deps.parkedImages.read(job.imageKey);
      if (!bytes) return IMAGE_EXPIRED;
      enter("searching faces in Rekognition");
      const result = await deps.faceCollection.searchFacesByImage({
        collectionId: deps.collectionId,
        image: { bytes },
        threshold: job.threshold,
        maxFaces: job.maxMatches,
      });
      if (!result)
        return { status: "no_face", message: "No face was found in the image, so there is nothing to search with" };
      enter("reading the gallery mapping");
      const matches = await withGalleryDetails(result.matches, deps.gallery);
      return { status: "searched", data: { matches, searched_face: result.searchedFace } };
    },
    // Only the key the job names, and only once the job's final outcome is stored: a retry or a re-run needs the bytes.
    cleanup: (data) => removeParkedImageOf(deps.parkedImages, data),
  });
}
