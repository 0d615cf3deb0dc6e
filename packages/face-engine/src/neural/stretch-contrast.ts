/**
 * A copy of an RGB image whose luminance range (its 1st to 99th percentile) is stretched to 0..255, one
 * affine map for all three channels. Only for detection: an over-exposed or flat capture (a selfie against a
 * window, a photocopied ID) has its face's edges squeezed into a few grey levels, and the detectors were
 * trained on normal contrast. The descriptor is still computed from the original pixels.
 */
import type { RgbPixels } from "./align-face.ts";

const LOW_PERCENTILE = 0.01;
const HIGH_PERCENTILE = 0.99;
/** A nearly uniform image (a wall, a blank page) is not stretched into noise. */
const MIN_RANGE = 8;

export function stretchContrast(image: RgbPixels): Buffer {
  const { rgb } = image;
  const histogram = new Uint32Array(256);
  const pixels = rgb.length / 3;
  for (let i = 0; i < rgb.length; i += 3) histogram[luma(rgb[i]!, rgb[i + 1]!, rgb[i + 2]!)]!++;
  const low = percentile(histogram, pixels * LOW_PERCENTILE);
  const high = percentile(histogram, pixels * HIGH_PERCENTILE);
  if (high - low < MIN_RANGE) return Buffer.from(rgb);
  const gain = 255 / (high - low);
  const map = new Uint8Array(256);
  for (let v = 0; v < 256; v++) map[v] = Math.min(255, Math.max(0, Math.round((v - low) * gain)));
  const out = Buffer.alloc(rgb.length);
  for (let i = 0; i < rgb.length; i++) out[i] = map[rgb[i]!]!;
  return out;
}

function luma(r: number, g: number, b: number): number {
  return Math.round(0.299 * r + 0.587 * g + 0.114 * b);
}

/** The grey level below which `count` pixels lie. */
function percentile(histogram: Uint32Array, count: number): number {
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += histogram[v]!;
    if (seen > count) return v;
  }
  return 255;
}
