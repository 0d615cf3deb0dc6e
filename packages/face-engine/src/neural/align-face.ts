/**
 * Face alignment: the similarity transform (rotation, uniform scale, shift) that puts a face's eyes and
 * mouth corners where the recognition net expects them, and the bilinear warp that cuts that chip out of
 * the image. Pure functions over RGB buffers: no tfjs, so they are tested on their own.
 *
 * The net (dlib's ResNet, ported by face-api) was trained on 150x150 chips from dlib's
 * get_face_chip_details(size 150, padding 0.25): its mean face, mapped into the chip, puts the eye
 * centres and mouth corners at CHIP_TEMPLATE. Aligning to those points levels the eyes and fixes the
 * scale, which the detector's box does not.
 */
import type { Point } from "./landmarks.ts";

/** Side of the recognition net's input chip, in pixels. */
export const CHIP_SIDE = 150;

/** Eye centres (iBUG 36-41, 42-47) and mouth corners (48, 54) of dlib's mean face in a 150-px chip with padding 0.25. */
export const CHIP_TEMPLATE: readonly Point[] = [
  { x: 47.55, y: 46.6 },
  { x: 100.48, y: 46.6 },
  { x: 50.41, y: 103.02 },
  { x: 97.61, y: 103.02 },
];

/** p' = [a -b; b a] p + [tx ty]: maps chip pixels to image pixels. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** Least-squares similarity taking `from[i]` to `to[i]` (closed form: centre both sets, then one 2x2 solve). */
export function fitSimilarity(from: readonly Point[], to: readonly Point[]): Similarity {
  const n = from.length;
  const mean = (ps: readonly Point[]): Point => ({
    x: ps.reduce((s, p) => s + p.x, 0) / n,
    y: ps.reduce((s, p) => s + p.y, 0) / n,
  });
  const mf = mean(from);
  const mt = mean(to);
  let dot = 0;
  let cross = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const fx = from[i]!.x - mf.x;
    const fy = from[i]!.y - mf.y;
    const tx = to[i]!.x - mt.x;
    const ty = to[i]!.y - mt.y;
    dot += fx * tx + fy * ty;
    cross += fx * ty - fy * tx;
    norm += fx * fx + fy * fy;
  }
  const a = dot / norm;
  const b = cross / norm;
  return { a, b, tx: mt.x - (a * mf.x - b * mf.y), ty: mt.y - (b * mf.x + a * mf.y) };
}

export function applySimilarity(t: Similarity, p: Point): Point {
  return { x: t.a * p.x - t.b * p.y + t.tx, y: t.b * p.x + t.a * p.y + t.ty };
}

/** Image pixels per chip pixel. */
export function similarityScale(t: Similarity): number {
  return Math.hypot(t.a, t.b);
}

export interface RgbPixels {
  rgb: Uint8Array;
  width: number;
  height: number;
}

/**
 * A side x side RGB chip whose pixel (u, v) is the image at chipToImage(u, v), bilinear; outside the image
 * the nearest edge pixel is repeated, which gives the net less of a false edge than a flat fill. When the
 * chip shrinks the face by more than 1.5x, each chip pixel averages a 2x2 grid of samples against aliasing.
 */
export function warpChip(image: RgbPixels, chipToImage: Similarity, side: number): Float32Array {
  const out = new Float32Array(side * side * 3);
  const grid = similarityScale(chipToImage) > 1.5 ? 2 : 1;
  const offsets = grid === 1 ? [0.5] : [0.25, 0.75];
  const weight = 1 / (offsets.length * offsets.length);
  const { rgb, width, height } = image;
  for (let v = 0; v < side; v++) {
    for (let u = 0; u < side; u++) {
      const o = (v * side + u) * 3;
      for (const dv of offsets) {
        for (const du of offsets) {
          const p = applySimilarity(chipToImage, { x: u + du, y: v + dv });
          const x = Math.min(width - 1, Math.max(0, p.x - 0.5));
          const y = Math.min(height - 1, Math.max(0, p.y - 0.5));
          const x0 = Math.floor(x);
          const y0 = Math.floor(y);
          const x1 = Math.min(width - 1, x0 + 1);
          const y1 = Math.min(height - 1, y0 + 1);
          const fx = x - x0;
          const fy = y - y0;
          for (let c = 0; c < 3; c++) {
            const top = rgb[(y0 * width + x0) * 3 + c]! * (1 - fx) + rgb[(y0 * width + x1) * 3 + c]! * fx;
            const bottom = rgb[(y1 * width + x0) * 3 + c]! * (1 - fx) + rgb[(y1 * width + x1) * 3 + c]! * fx;
            out[o + c] = out[o + c]! + (top * (1 - fy) + bottom * fy) * weight;
          }
        }
      }
    }
  }
  return out;
}
