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

/**
 * For each iBUG-68 point, the index of the point that plays its part in the mirror image: jaw 0..16 reversed,
 * brows 17..21 <-> 26..22, the nose ridge 27..30 and the centres of nostrils, lips and chin on themselves, each
 * eye's ring onto the other's (outer corner 36 <-> 45), mouth corners 48 <-> 54.
 */
export const MIRRORED_68: readonly number[] = [
  16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 27, 28, 29, 30, 35,
  34, 33, 32, 31, 45, 44, 43, 42, 47, 46, 39, 38, 37, 36, 41, 40, 54, 53, 52, 51, 50, 49, 48, 59, 58, 57, 56, 55, 64,
  63, 62, 61, 60, 67, 66, 65,
];

/**
 * The 68 points found on a left-right mirrored copy of an image `width` pixels wide, in the original's frame
 * and order: x flipped back, and each point taken from its counterpart (the mirror's left eye is our right).
 */
export function unmirrorLandmarks(found: readonly Point[], width: number): Point[] {
  return MIRRORED_68.map((from) => {
    const p = found[from];
    if (!p) throw new RangeError(`landmark ${from} missing: expected 68 points, got ${found.length}`);
    return { x: width - p.x, y: p.y };
  });
}

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
