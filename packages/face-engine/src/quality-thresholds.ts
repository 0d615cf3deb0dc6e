/**
 * Per-QualityFilter limits behind Rekognition's UnindexedFaces reasons. LOW rejects only the worst
 * faces, HIGH the most, like AWS. Calibrated with scripts/accuracy.ts on the fixtures (README.md,
 * "Quality filter"): every photo in people/ and same/ passes AUTO; blurred, dark and tiny faces fail.
 */
export type QualityFilterLevel = "LOW" | "MEDIUM" | "HIGH";
export type QualityFilter = "NONE" | "AUTO" | QualityFilterLevel;

export interface QualityThresholds {
  /** Minimum detector confidence, 0..100 (LOW_CONFIDENCE). */
  minConfidence: number;
  /** Minimum face box side in pixels of the original image (SMALL_BOUNDING_BOX): descriptors of smaller faces are unreliable. */
  minFacePixels: number;
  /** Minimum sharpness, 0..100 (LOW_SHARPNESS). */
  minSharpness: number;
  /** Minimum brightness, 0..100 (LOW_BRIGHTNESS). */
  minBrightness: number;
  /** Maximum |yaw| and |pitch| in degrees (EXTREME_POSE); roll is ignored because alignment undoes it. */
  maxYawPitch: number;
}

export const QUALITY_THRESHOLDS: Readonly<Record<QualityFilterLevel, Readonly<QualityThresholds>>> = {
  LOW: { minConfidence: 40, minFacePixels: 16, minSharpness: 10, minBrightness: 10, maxYawPitch: 75 },
  MEDIUM: { minConfidence: 50, minFacePixels: 24, minSharpness: 20, minBrightness: 20, maxYawPitch: 55 },
  HIGH: { minConfidence: 80, minFacePixels: 48, minSharpness: 40, minBrightness: 30, maxYawPitch: 40 },
};

/** What AUTO means here: MEDIUM, the level at which every KYC-style fixture photo is accepted. */
export const AUTO_QUALITY_FILTER_LEVEL: QualityFilterLevel = "MEDIUM";
