/**
 * Brightness and sharpness of a face region, 0..100, comparable across image sizes because the face
 * is first downscaled to at most a QUALITY_SIDE square of grey pixels (small faces keep their size).
 * - brightness: mean luminance (Rec. 601 grey) of the crop, 0..255 mapped linearly to 0..100.
 * - sharpness: variance of the 4-neighbour Laplacian of the crop, mapped with
 *   100 * (1 - exp(-variance / SHARPNESS_SCALE)): 0 for a flat patch, ~63 at SHARPNESS_SCALE, saturating
 *   towards 100 for crisp detail. The scale is set so that the fixtures' passport-style photos land in
 *   the upper half and a 4-px gaussian blur of them lands below 10 (README.md, "Quality filter").
 */
import sharp from "sharp";

/** Side of the square the face is resampled to: about the resolution the recognition net sees (150 px). */
const QUALITY_SIDE = 112;
/** Laplacian variance that maps to sharpness ~63 (calibrated on the fixtures). */
export const SHARPNESS_SCALE = 200;

export interface PixelBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface RgbImage {
  rgb: Buffer;
  width: number;
  height: number;
}

export interface FaceQuality {
  brightness: number;
  sharpness: number;
  /** Raw Laplacian variance, for calibration scripts. */
  laplacianVariance: number;
}

export async function faceQuality(image: RgbImage, box: PixelBox): Promise<FaceQuality> {
  const left = Math.max(0, Math.floor(box.left));
  const top = Math.max(0, Math.floor(box.top));
  const width = Math.max(1, Math.min(image.width - left, Math.ceil(box.width)));
  const height = Math.max(1, Math.min(image.height - top, Math.ceil(box.height)));
  const grey = await sharp(image.rgb, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract({ left, top, width, height })
    // Downscale large faces to a common size, but never enlarge small ones: upscaling blurs them.
    .resize(Math.min(QUALITY_SIDE, width), Math.min(QUALITY_SIDE, height), { fit: "fill" })
    .greyscale()
    .raw()
    .toBuffer();
  const variance = laplacianVariance(grey, Math.min(QUALITY_SIDE, width), Math.min(QUALITY_SIDE, height));
  return {
    brightness: (mean(grey) / 255) * 100,
    sharpness: 100 * (1 - Math.exp(-variance / SHARPNESS_SCALE)),
    laplacianVariance: variance,
  };
}

function mean(values: Uint8Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length ? sum / values.length : 0;
}

/** Variance of 4*p - (up + down + left + right) over the interior pixels. */
export function laplacianVariance(grey: Uint8Array, width: number, height: number): number {
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const lap = 4 * grey[i]! - grey[i - 1]! - grey[i + 1]! - grey[i - width]! - grey[i + width]!;
      sum += lap;
      sumSq += lap * lap;
      n++;
    }
  }
  if (n === 0) return 0;
  const m = sum / n;
  return sumSq / n - m * m;
}
