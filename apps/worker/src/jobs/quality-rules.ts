/**
 * The quality gate's decision: which reasons refuse a face, from what DetectFaces measured. Pure, so the
 * thresholds are tested with plain objects (test/quality-rules.test.ts). The local engine's figures behind
 * each limit: apps/worker/README.md, "Quality gate".
 */
import type { FaceQuality, QualityGateReason } from "@faceindex/contracts";

/** Beyond this |yaw| or |pitch| the face turns away: half the features are foreshortened or hidden. */
export const MAX_YAW_PITCH_DEGREES = 45;
/** A tilted head is undone by alignment, but past this the capture is careless (fixture portraits stay under 12). */
export const MAX_ROLL_DEGREES = 30;
/** Under this the face is blurred: every fixture portrait scores 64 or more, a 1.5 px gaussian blur 24-37. */
export const MIN_SHARPNESS = 50;
/** Under this the face is too dark to show its features (fixture portraits: 33 and up; dim captures ~10). */
export const MIN_BRIGHTNESS = 25;
/** EyesOpen false only counts when sure: a squint reads as a low-confidence "closed". */
export const MIN_EYES_CLOSED_CONFIDENCE = 80;
/** FaceOccluded true (hand, phone, mask) only counts when sure, for the same reason. */
export const MIN_OCCLUDED_CONFIDENCE = 80;

/** The reasons `face` fails the gate, in QUALITY_GATE_REASONS order; empty means it passes. */
export function qualityReasons(face: FaceQuality): QualityGateReason[] {
  const reasons: QualityGateReason[] = [];
  const { roll, yaw, pitch } = face.pose;
  if (
    Math.abs(yaw) > MAX_YAW_PITCH_DEGREES ||
    Math.abs(pitch) > MAX_YAW_PITCH_DEGREES ||
    Math.abs(roll) > MAX_ROLL_DEGREES
  )
    reasons.push("EXTREME_POSE");
  if (face.quality.sharpness < MIN_SHARPNESS) reasons.push("LOW_SHARPNESS");
  if (face.quality.brightness < MIN_BRIGHTNESS) reasons.push("LOW_BRIGHTNESS");
  // An attribute the service did not return (the local server has no occlusion model) cannot refuse.
  if (face.eyes_open && !face.eyes_open.value && face.eyes_open.confidence >= MIN_EYES_CLOSED_CONFIDENCE)
    reasons.push("EYES_CLOSED");
  if (face.face_occluded?.value && face.face_occluded.confidence >= MIN_OCCLUDED_CONFIDENCE)
    reasons.push("FACE_OCCLUDED");
  return reasons;
}

const ADVICE: Record<QualityGateReason, string> = {
  EXTREME_POSE: "face the camera with the head upright",
  LOW_SHARPNESS: "hold the camera still and in focus",
  LOW_BRIGHTNESS: "move to better light",
  EYES_CLOSED: "keep the eyes open",
  FACE_OCCLUDED: "uncover the face",
};

/** E.g. "The selfie failed the quality gate (LOW_SHARPNESS): retake it; hold the camera still and in focus". */
export function qualityMessage(reasons: readonly QualityGateReason[]): string {
  return `The selfie failed the quality gate (${reasons.join(", ")}): retake it; ${reasons.map((r) => ADVICE[r]).join(", ")}`;
}
