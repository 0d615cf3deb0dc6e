/**
 * The bench's images: one fixture face photo scaled up with sharp until its JPEG reaches a target size
 * (~100 KB, a phone selfie; ~1 MB, a full-resolution one). Same fixture, same sharp, same bytes every run.
 */
import { facePhoto } from "@faceindex/testing";
import sharp from "sharp";

export interface BenchImage {
  /** "100kb" or "1mb": what a flag names it by. */
  name: string;
  bytes: Buffer;
  width: number;
}

export const IMAGE_SIZES = { "100kb": 100_000, "1mb": 1_000_000 } as const;
export type ImageSizeName = keyof typeof IMAGE_SIZES;

const FIXTURE = "same/obama_1.jpg";
// High quality keeps detail, so a moderate upscale reaches 1 MB; fixed so the bytes never change.
const JPEG_QUALITY = 95;
// "~100 KB" and "~1 MB": within 5 % of the target is close enough, and the search stops there.
const TOLERANCE = 0.05;
// A JPEG's size grows about with its area, so each step lands close; a few steps always suffice.
const MAX_STEPS = 6;

/** The fixture scaled to the width whose JPEG is within 5 % of the target size (deterministic steps). */
export async function makeBenchImage(name: ImageSizeName): Promise<BenchImage> {
  const source = facePhoto(FIXTURE);
  const target = IMAGE_SIZES[name];
  let width = (await sharp(source).metadata()).width;
  let bytes = source;
  for (let step = 0; step < MAX_STEPS; step++) {
    bytes = await sharp(source).resize({ width }).jpeg({ quality: JPEG_QUALITY }).toBuffer();
    if (Math.abs(bytes.length - target) <= target * TOLERANCE) break;
    width = Math.max(16, Math.round(width * Math.sqrt(target / bytes.length)));
  }
  return { name, bytes, width };
}
