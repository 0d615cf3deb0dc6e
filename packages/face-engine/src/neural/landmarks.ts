/**
 * Maps the 68-point iBUG landmarks (face-api) to Rekognition's landmark types. Left/right follow
 * Rekognition's output, where eyeLeft is the eye with the smaller x (the left one in the picture).
 * Points are ratios of the original image.
 */
import type { FacePoint } from "../types.ts";

export interface Point {
  x: number;
  y: number;
}

/** Rekognition landmark type -> the iBUG-68 indices averaged for it. */
const REKOGNITION_LANDMARKS: ReadonlyArray<readonly [string, readonly number[]]> = [
  ["eyeLeft", [36, 37, 38, 39, 40, 41]],
  ["eyeRight", [42, 43, 44, 45, 46, 47]],
  ["nose", [30]],
  ["mouthLeft", [48]],
  ["mouthRight", [54]],
  ["leftEyeBrowLeft", [17]],
  ["leftEyeBrowUp", [19]],
  ["leftEyeBrowRight", [21]],
  ["rightEyeBrowLeft", [22]],
  ["rightEyeBrowUp", [24]],
  ["rightEyeBrowRight", [26]],
  ["leftEyeLeft", [36]],
  ["leftEyeRight", [39]],
  ["leftEyeUp", [37, 38]],
  ["leftEyeDown", [40, 41]],
  ["rightEyeLeft", [42]],
  ["rightEyeRight", [45]],
  ["rightEyeUp", [43, 44]],
  ["rightEyeDown", [46, 47]],
  ["noseLeft", [31]],
  ["noseRight", [35]],
  ["mouthUp", [51]],
  ["mouthDown", [57]],
  ["leftPupil", [36, 37, 38, 39, 40, 41]],
  ["rightPupil", [42, 43, 44, 45, 46, 47]],
  ["upperJawlineLeft", [0]],
  ["midJawlineLeft", [4]],
  ["chinBottom", [8]],
  ["midJawlineRight", [12]],
  ["upperJawlineRight", [16]],
];

/** Average of some of the 68 points. */
export function meanPoint(points: readonly Point[], indices: readonly number[]): Point {
  let x = 0;
  let y = 0;
  for (const i of indices) {
    const p = points[i];
    if (!p) throw new RangeError(`landmark ${i} missing: expected 68 points, got ${points.length}`);
    x += p.x;
    y += p.y;
  }
  return { x: x / indices.length, y: y / indices.length };
}

/** `toRatio` converts a detector pixel coordinate to a ratio of the original image. */
export function rekognitionLandmarks(points: readonly Point[], toRatio: (p: Point) => Point): FacePoint[] {
  return REKOGNITION_LANDMARKS.map(([type, indices]) => {
    const { x, y } = toRatio(meanPoint(points, indices));
    return { type, x: clamp01(x), y: clamp01(y) };
  });
}

export function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}
