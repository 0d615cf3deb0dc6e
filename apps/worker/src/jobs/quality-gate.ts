/**
 * The opt-in quality gate of an enrolment (job field qualityGate "enforce"), run on the stored S3 object
 * before IndexFaces: a capture that would match badly is refused as an outcome, with the reasons, and
 * nothing is indexed. Only the largest face is judged: it is the one enrolled and answered as `data`; other
 * faces are IndexFaces' QualityFilter and MaxFaces' business. No face: the gate passes, and IndexFaces
 * answers no_face with its own reasons.
 */
import type { QualityRejectedOutcome } from "@faceindex/contracts";
import type { FaceDetector } from "../adapters/rekognition/face-detector.ts";
import { qualityMessage, qualityReasons } from "./quality-rules.ts";

export interface QualityGateDeps {
  faceDetector: Pick<FaceDetector, "detectFaces">;
}

/** The refusal, or null when the selfie may be indexed. */
export async function checkCaptureQuality(
  deps: QualityGateDeps,
  image: { bucket: string; key: string },
): Promise<QualityRejectedOutcome | null> {
  const [face] = await deps.faceDetector.detectFaces(image);
  if (!face) return null;
  const reasons = qualityReasons(face);
  if (reasons.length === 0) return null;
  return { status: "quality_rejected", message: qualityMessage(reasons), reasons, face };
}
