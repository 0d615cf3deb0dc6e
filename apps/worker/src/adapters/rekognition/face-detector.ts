/**
 * Rekognition's DetectFaces behind our own small interface, for the quality gate (jobs/quality-gate.ts):
 * every attribute of each face of an image already stored in S3, as the contract's FaceQuality records.
 */
import {
  DetectFacesCommand,
  type DetectFacesCommandOutput,
  type FaceDetail,
  type RekognitionClient,
} from "@aws-sdk/client-rekognition";
import type { FaceFlag, FaceQuality } from "@faceindex/contracts";
import { boxArea, toBoundingBox } from "./bounding-box.ts";

export interface FaceDetector {
  /** Largest face first; empty when the image holds none. */
  detectFaces(image: { bucket: string; key: string }): Promise<FaceQuality[]>;
}

export function createFaceDetector(client: Pick<RekognitionClient, "send">): FaceDetector {
  return {
    async detectFaces(image) {
      const response = await client.send(
        new DetectFacesCommand({
          // The S3 object rather than the bytes: DetectFaces takes 15 MB from S3 but only 5 MB inline.
          Image: { S3Object: { Bucket: image.bucket, Name: image.key } },
          // DEFAULT carries pose and quality only; eyes and occlusion need ALL.
          Attributes: ["ALL"],
        }),
      );
      return toFaceQualities(response);
    },
  };
}

export function toFaceQualities(response: Pick<DetectFacesCommandOutput, "FaceDetails">): FaceQuality[] {
  const faces = (response.FaceDetails ?? []).map(toFaceQuality);
  // Rekognition does not promise an order; the gate judges the largest face, the one IndexFaces reports first.
  return faces.sort((a, b) => boxArea(b.bounding_box) - boxArea(a.bounding_box));
}

function toFaceQuality(detail: FaceDetail): FaceQuality {
  const eyesOpen = toFlag(detail.EyesOpen);
  const occluded = toFlag(detail.FaceOccluded);
  return {
    bounding_box: toBoundingBox(detail.BoundingBox),
    confidence: detail.Confidence ?? 0,
    pose: { roll: detail.Pose?.Roll ?? 0, yaw: detail.Pose?.Yaw ?? 0, pitch: detail.Pose?.Pitch ?? 0 },
    // A missing score counts as perfect: the gate refuses on what was measured, never on a gap in the answer.
    quality: { sharpness: detail.Quality?.Sharpness ?? 100, brightness: detail.Quality?.Brightness ?? 100 },
    ...(eyesOpen ? { eyes_open: eyesOpen } : {}),
    ...(occluded ? { face_occluded: occluded } : {}),
  };
}

function toFlag(attribute: { Value?: boolean; Confidence?: number } | undefined): FaceFlag | undefined {
  if (attribute?.Value === undefined) return undefined;
  return { value: attribute.Value, confidence: attribute.Confidence ?? 0 };
}
