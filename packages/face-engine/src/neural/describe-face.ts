/**
 * The descriptor of one located face: landmarks refined on a level crop, averaged with its mirror image's, when
 * the head is tilted or the face fills the frame (refineLandmarks), the chip
 * aligned to the recognition net's template (align-face.ts), and the descriptors of the chip and of its
 * mirror image averaged (a face and its mirror are the same person; averaging cancels part of the net's
 * left/right asymmetry and of uneven light).
 */
import { unitVector } from "../vector-index.ts";
import { CHIP_SIDE, CHIP_TEMPLATE, fitSimilarity, warpChip, type RgbPixels, type Similarity } from "./align-face.ts";
import { meanPoint, unmirrorLandmarks, type Point } from "./landmarks.ts";
import type { FaceApi } from "./load-face-api.ts";

/** Input side of face-api's 68-point landmark net. */
const LANDMARK_SIDE = 112;
/** Above this eye-line angle the landmarks are found again on a level crop: the net was trained on upright faces. */
const REFINE_ABOVE_DEGREES = 10;

export interface DescribeOptions {
  mirror: boolean;
}

/** The four alignment points (eye centres, mouth corners) of 68 iBUG landmarks. */
export function alignmentPoints(points: readonly Point[]): Point[] {
  return [
    meanPoint(points, [36, 37, 38, 39, 40, 41]),
    meanPoint(points, [42, 43, 44, 45, 46, 47]),
    meanPoint(points, [48]),
    meanPoint(points, [54]),
  ];
}

export function rollDegrees(points: readonly Point[]): number {
  const [left, right] = alignmentPoints(points);
  return (Math.atan2(right!.y - left!.y, right!.x - left!.x) * 180) / Math.PI;
}

/** A face whose landmarks span this share of the image's width or height fills the frame (a tight or ID crop). */
const FILLS_FRAME = 0.7;

export interface RefineOptions {
  /**
   * Re-find the landmarks of a face that fills the frame too, not only of a tilted head, and average every
   * re-found set with the set found on the crop's mirror image (default). The detector's box for such a face runs
   * into the grey border, and the landmark net's left and right errors differ; a crop around the landmarks and
   * the mirror average align the chip better (the evaluation's tuning part: tight crops 7 -> 2 of 36 genuine pairs
   * missed). Off: re-found only for a tilted head, on the crop alone, as before.
   */
  fullFrame: boolean;
}

/**
 * The landmarks of a tilted head (and with `fullFrame` of a face that fills the frame) found again on a crop
 * around them turned so the eyes are level (the net was trained on upright faces), in image pixels.
 */
export async function refineLandmarks(
  faceapi: FaceApi,
  image: RgbPixels,
  points: readonly Point[],
  options: RefineOptions,
): Promise<Point[]> {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [left, right, top, bottom] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const [width, height] = [right - left, bottom - top];
  const roll = rollDegrees(points);
  const tilted = Math.abs(roll) > REFINE_ABOVE_DEGREES;
  const fillsFrame = width >= FILLS_FRAME * image.width || height >= FILLS_FRAME * image.height;
  if (!tilted && !(options.fullFrame && fillsFrame)) return [...points];
  const centre = { x: (left + right) / 2, y: (top + bottom) / 2 };
  // The landmark net sees a detector box: about the landmarks' extent, a little taller for the forehead.
  const side = Math.max(width, height) * 1.15;
  const angle = (roll * Math.PI) / 180;
  const s = side / LANDMARK_SIDE;
  const a = s * Math.cos(angle);
  const b = s * Math.sin(angle);
  const half = LANDMARK_SIDE / 2;
  const toImage: Similarity = { a, b, tx: centre.x - (a * half - b * half), ty: centre.y - (b * half + a * half) };
  const crop = warpChip(image, toImage, LANDMARK_SIDE);
  const onCrop = await detectLandmarks(faceapi, crop);
  const found = options.fullFrame
    ? averagePoints(
        onCrop,
        unmirrorLandmarks(await detectLandmarks(faceapi, mirrorChip(crop, LANDMARK_SIDE)), LANDMARK_SIDE),
      )
    : onCrop;
  return found.map((p) => ({ x: a * p.x - b * p.y + toImage.tx, y: b * p.x + a * p.y + toImage.ty }));
}

/** The 68 points face-api's landmark net finds on a LANDMARK_SIDE square RGB crop, in crop pixels. */
async function detectLandmarks(faceapi: FaceApi, crop: Float32Array): Promise<Point[]> {
  const input = faceapi.tf.tensor3d(crop, [LANDMARK_SIDE, LANDMARK_SIDE, 3], "float32");
  try {
    const landmarks = (await faceapi.nets.faceLandmark68Net.detectLandmarks(input)) as InstanceType<
      FaceApi["FaceLandmarks68"]
    >;
    return landmarks.positions.map((p) => ({ x: p.x, y: p.y }));
  } finally {
    input.dispose();
  }
}

function averagePoints(first: readonly Point[], second: readonly Point[]): Point[] {
  return first.map((p, i) => ({ x: (p.x + second[i]!.x) / 2, y: (p.y + second[i]!.y) / 2 }));
}

/** The CHIP_SIDE square RGB chip aligned on the face's eyes and mouth corners. */
export function alignedChip(image: RgbPixels, points: readonly Point[]): Float32Array {
  return warpChip(image, fitSimilarity(CHIP_TEMPLATE, alignmentPoints(points)), CHIP_SIDE);
}

/** Unit descriptor of the aligned chip (averaged with its mirror when asked). */
export async function describeAligned(
  faceapi: FaceApi,
  chip: Float32Array,
  options: DescribeOptions,
): Promise<Float32Array> {
  const tf = faceapi.tf;
  const chips = options.mirror ? [chip, mirrorChip(chip, CHIP_SIDE)] : [chip];
  const inputs = chips.map((c) => tf.tensor3d(c, [CHIP_SIDE, CHIP_SIDE, 3], "float32"));
  try {
    const out = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(inputs);
    const descriptors = Array.isArray(out) ? out : [out];
    const sum = new Float32Array(descriptors[0]!.length);
    for (const d of descriptors) for (let i = 0; i < d.length; i++) sum[i] = sum[i]! + d[i]!;
    return unitVector(sum);
  } finally {
    for (const t of inputs) t.dispose();
  }
}

/** The chip flipped left to right (RGB rows reversed pixel by pixel). */
function mirrorChip(chip: Float32Array, side: number): Float32Array {
  const out = new Float32Array(chip.length);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const from = (y * side + x) * 3;
      const to = (y * side + (side - 1 - x)) * 3;
      out[to] = chip[from]!;
      out[to + 1] = chip[from + 1]!;
      out[to + 2] = chip[from + 2]!;
    }
  }
  return out;
}
