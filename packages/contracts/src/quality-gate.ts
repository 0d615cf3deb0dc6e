/**
 * The opt-in KYC quality gate of index-faces: before IndexFaces, the worker reads the stored selfie's face
 * attributes (DetectFaces, Attributes ["ALL"]) and refuses a capture that would match badly. Reasons use
 * IndexFaces' own UnindexedFaces vocabulary where it has a word; EYES_CLOSED and FACE_OCCLUDED are ours.
 */
import type { BoundingBox } from "./faces.ts";

/** off: IndexFaces' QualityFilter alone decides (the seed's behaviour); enforce: the gate may refuse. */
export const QUALITY_GATE_MODES = ["off", "enforce"] as const;
export type QualityGateMode = (typeof QUALITY_GATE_MODES)[number];

export const QUALITY_GATE_REASONS = [
  "EXTREME_POSE",
  "LOW_SHARPNESS",
  "LOW_BRIGHTNESS",
  "EYES_CLOSED",
  "FACE_OCCLUDED",
] as const;
export type QualityGateReason = (typeof QUALITY_GATE_REASONS)[number];

/** A yes/no attribute as DetectFaces reports it (EyesOpen, FaceOccluded), confidence 0..100. */
export interface FaceFlag {
  value: boolean;
  confidence: number;
}

/**
 * What DetectFaces measured of one face, in degrees and 0..100 scores. An attribute the service does not
 * return is absent (the local server computes no FaceOccluded): the gate then cannot judge it.
 */
export interface FaceQuality {
  bounding_box: BoundingBox;
  confidence: number;
  pose: { roll: number; yaw: number; pitch: number };
  quality: { sharpness: number; brightness: number };
  eyes_open?: FaceFlag;
  face_occluded?: FaceFlag;
}

/** The gate refused the selfie: nothing was indexed; the caller should retake it. */
export interface QualityRejectedOutcome {
  status: "quality_rejected";
  message: string;
  reasons: QualityGateReason[];
  /** The face judged (the largest), with the measurements behind the reasons. */
  face: FaceQuality;
}
