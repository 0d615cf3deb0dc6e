/** Outcomes a test worker returns, shaped like the real worker's. */
import type { Job } from "bullmq";
import type { IndexFacesJob, IndexFacesOutcome } from "@faceindex/contracts";

export function indexedOutcome(job: Pick<Job<IndexFacesJob>, "data" | "id">): IndexFacesOutcome {
  const face = {
    face_id: `face-${job.id}`,
    image_id: `image-${job.id}`,
    external_image_id: job.data.externalImageId,
    confidence: 99.9,
    bounding_box: { width: 0.3, height: 0.4, left: 0.35, top: 0.2 },
  };
  return {
    status: "indexed",
    data: {
      ...face,
      collection_id: "test-collection",
      face_model_version: "7.0",
      s3: { bucket: job.data.bucket, key: job.data.objectKey, etag: "abc" },
      indexed_faces: [face],
      unindexed_faces: [],
    },
  };
}
