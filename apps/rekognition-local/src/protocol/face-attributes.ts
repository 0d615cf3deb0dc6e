/**
 * DetectFaces `Attributes`: which of Rekognition's face attributes to return and their wire form. Only what
 * the bundled models compute is returned (packages/face-engine README, "Attributes"): AgeRange, Gender,
 * Emotions, Smile, EyesOpen, MouthOpen. EyeDirection, FaceOccluded, Beard, Mustache, Eyeglasses and
 * Sunglasses have no model here and are omitted, even under ALL, rather than guessed.
 */
import type { DetectedFace } from "@faceindex/face-engine";

/** The attributes the engine computes, by their name in the model's Attribute enum. */
const COMPUTED = ["AGE_RANGE", "GENDER", "EMOTIONS", "SMILE", "EYES_OPEN", "MOUTH_OPEN"] as const;
type Computed = (typeof COMPUTED)[number];

/** The computed attributes a request asks for (DEFAULT or nothing: none; ALL: every computed one). */
export function wantedAttributes(requested: string[] | undefined): ReadonlySet<Computed> {
  const asked = new Set(requested ?? []);
  return new Set(COMPUTED.filter((name) => asked.has("ALL") || asked.has(name)));
}

const yesNo = (attribute: { value: boolean; confidence: number }) => ({
  Value: attribute.value,
  Confidence: attribute.confidence,
});

/** The wanted attributes of a face as FaceDetail members (none when the engine computed none). */
export function toWireAttributes(face: DetectedFace, wanted: ReadonlySet<Computed>): Record<string, unknown> {
  const attributes = face.attributes;
  if (!attributes) return {};
  return {
    // Rekognition's AgeRange carries whole years and no confidence.
    ...(wanted.has("AGE_RANGE")
      ? { AgeRange: { Low: Math.round(attributes.ageRange.low), High: Math.round(attributes.ageRange.high) } }
      : {}),
    ...(wanted.has("GENDER")
      ? { Gender: { Value: attributes.gender.value, Confidence: attributes.gender.confidence } }
      : {}),
    ...(wanted.has("EMOTIONS")
      ? { Emotions: attributes.emotions.map((emotion) => ({ Type: emotion.type, Confidence: emotion.confidence })) }
      : {}),
    ...(wanted.has("SMILE") ? { Smile: yesNo(attributes.smile) } : {}),
    ...(wanted.has("EYES_OPEN") ? { EyesOpen: yesNo(attributes.eyesOpen) } : {}),
    ...(wanted.has("MOUTH_OPEN") ? { MouthOpen: yesNo(attributes.mouthOpen) } : {}),
  };
}
