/** Which of Rekognition's UnindexedFaces reasons apply to a detected face under a QualityFilter. */
import { AUTO_QUALITY_FILTER_LEVEL, QUALITY_THRESHOLDS, type QualityFilter } from "./quality-thresholds.ts";
import type { DetectedFace } from "./types.ts";

export type UnindexedReason =
  "LOW_CONFIDENCE" | "SMALL_BOUNDING_BOX" | "LOW_SHARPNESS" | "LOW_BRIGHTNESS" | "EXTREME_POSE";

/** AWS reason codes for a face; empty means the face may be indexed. NONE never rejects. */
export function unindexedReasons(
  face: DetectedFace,
  image: { width: number; height: number },
  level: QualityFilter,
): UnindexedReason[] {
  if (level === "NONE") return [];
  const limits = QUALITY_THRESHOLDS[level === "AUTO" ? AUTO_QUALITY_FILTER_LEVEL : level];
  const reasons: UnindexedReason[] = [];
  if (face.confidence < limits.minConfidence) reasons.push("LOW_CONFIDENCE");
  const sidePixels = Math.min(face.box.width * image.width, face.box.height * image.height);
  if (sidePixels < limits.minFacePixels) reasons.push("SMALL_BOUNDING_BOX");
  if (face.quality.sharpness < limits.minSharpness) reasons.push("LOW_SHARPNESS");
  if (face.quality.brightness < limits.minBrightness) reasons.push("LOW_BRIGHTNESS");
  if (Math.abs(face.pose.yaw) > limits.maxYawPitch || Math.abs(face.pose.pitch) > limits.maxYawPitch) {
    reasons.push("EXTREME_POSE");
  }
  return reasons;
}
