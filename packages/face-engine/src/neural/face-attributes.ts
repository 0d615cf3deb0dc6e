/**
 * FaceAttributes for one face: age, gender and emotions from face-api's nets on the aligned chip, the
 * rest from the 68 landmarks. Landmark rules and their thresholds:
 * - eyes open: eye aspect ratio (EAR) = mean eyelid gap / eye width; 0.2 separates open from closed in
 *   the blink-detection literature (Soukupova and Cech, 2016); confidence grows with the distance from it.
 * - mouth open: inner-lip gap (points 62-66) / mouth width above MOUTH_OPEN_RATIO.
 * - smile: the expression net's HAPPY probability (a smile is what it was trained to call happy).
 */
import type { Emotion, FaceAttributes } from "../types.ts";
import type { Point } from "./landmarks.ts";
import type { FaceApi } from "./load-face-api.ts";

const EYE_OPEN_EAR = 0.2;
/** Inner-lip gap over mouth width at which lips count as parted; closed lips measure ~0-0.03. */
const MOUTH_OPEN_RATIO = 0.1;
/** How far (in ratio units) from a threshold a measurement must be for confidence ~95. */
const EYE_MARGIN = 0.06;
const MOUTH_MARGIN = 0.05;
/** face-api's age net is a regression with ~5-year mean error on its test set; the range spans that either way. */
const AGE_SPREAD = 5;

const EMOTION_NAMES: Record<string, Emotion> = {
  neutral: "CALM",
  happy: "HAPPY",
  sad: "SAD",
  angry: "ANGRY",
  fearful: "FEAR",
  disgusted: "DISGUSTED",
  surprised: "SURPRISED",
};

const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);

/** 50 at the threshold, ~95 at `margin` beyond it, towards 100 further away. */
function confidenceFrom(value: number, threshold: number, margin: number): number {
  return 100 / (1 + Math.exp((-3 * Math.abs(value - threshold)) / margin));
}

export function eyeAspectRatio(points: readonly Point[], first: number): number {
  const p = (i: number): Point => points[first + i]!;
  return (dist(p(1), p(5)) + dist(p(2), p(4))) / (2 * dist(p(0), p(3)) || 1);
}

export function landmarkAttributes(points: readonly Point[]): Pick<FaceAttributes, "eyesOpen" | "mouthOpen"> {
  const ear = (eyeAspectRatio(points, 36) + eyeAspectRatio(points, 42)) / 2;
  const gap = (dist(points[61]!, points[67]!) + dist(points[62]!, points[66]!) + dist(points[63]!, points[65]!)) / 3;
  const mouth = gap / (dist(points[48]!, points[54]!) || 1);
  return {
    eyesOpen: { value: ear > EYE_OPEN_EAR, confidence: confidenceFrom(ear, EYE_OPEN_EAR, EYE_MARGIN) },
    mouthOpen: { value: mouth > MOUTH_OPEN_RATIO, confidence: confidenceFrom(mouth, MOUTH_OPEN_RATIO, MOUTH_MARGIN) },
  };
}

/** `chip`: the aligned 150x150 RGB chip (0..255) the descriptor was computed from. */
export async function faceAttributes(faceapi: FaceApi, chip: Float32Array, side: number, points: readonly Point[]) {
  const tf = faceapi.tf;
  const input = tf.tensor3d(chip, [side, side, 3], "float32");
  try {
    const ageGender = await faceapi.nets.ageGenderNet.predictAgeAndGender(input);
    const expressions = await faceapi.nets.faceExpressionNet.predictExpressions(input);
    const { age, gender, genderProbability } = Array.isArray(ageGender) ? ageGender[0]! : ageGender;
    const sorted = (Array.isArray(expressions) ? expressions[0]! : expressions).asSortedArray();
    const happy = sorted.find((e) => e.expression === "happy")?.probability ?? 0;
    const attributes: FaceAttributes = {
      ageRange: { low: Math.max(0, Math.floor(age - AGE_SPREAD)), high: Math.ceil(age + AGE_SPREAD) },
      gender: { value: gender === "male" ? "Male" : "Female", confidence: genderProbability * 100 },
      emotions: sorted.map((e) => ({ type: EMOTION_NAMES[e.expression]!, confidence: e.probability * 100 })),
      smile: { value: happy >= 0.5, confidence: Math.abs(happy - 0.5) * 100 + 50 },
      ...landmarkAttributes(points),
    };
    return attributes;
  } finally {
    input.dispose();
  }
}
