/** Maps the face engine's types to Rekognition's wire members (PascalCase, ratios, 0..100 scores). */
import type { DetectedFace, FaceBox } from "@faceindex/face-engine";
import type { StoredFace } from "../store/collection.ts";

export interface WireBoundingBox {
  Width: number;
  Height: number;
  Left: number;
  Top: number;
}

export interface WireFaceDetail {
  BoundingBox: WireBoundingBox;
  Landmarks: { Type: string; X: number; Y: number }[];
  Pose: { Roll: number; Yaw: number; Pitch: number };
  Quality: { Brightness: number; Sharpness: number };
  Confidence: number;
}

export const toBoundingBox = (box: FaceBox): WireBoundingBox => ({
  Width: box.width,
  Height: box.height,
  Left: box.left,
  Top: box.top,
});

export function toFaceDetail(face: DetectedFace): WireFaceDetail {
  return {
    BoundingBox: toBoundingBox(face.box),
    Landmarks: face.landmarks.map((point) => ({ Type: point.type, X: point.x, Y: point.y })),
    Pose: { Roll: face.pose.roll, Yaw: face.pose.yaw, Pitch: face.pose.pitch },
    Quality: { Brightness: face.quality.brightness, Sharpness: face.quality.sharpness },
    Confidence: face.confidence,
  };
}

/** A stored face as Rekognition's `Face` (ListFaces, SearchFaces matches, IndexFaces records). */
export function toWireFace(face: StoredFace, indexFacesModelVersion: string) {
  return {
    FaceId: face.faceId,
    BoundingBox: toBoundingBox(face.box),
    ImageId: face.imageId,
    ...(face.externalImageId !== undefined ? { ExternalImageId: face.externalImageId } : {}),
    Confidence: face.confidence,
    IndexFacesModelVersion: indexFacesModelVersion,
  };
}
