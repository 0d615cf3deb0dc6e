/**
 * A copy of an RGB image with its mid-tones pushed down by a power curve (v' = 255 (v / 255)^gamma; black and
 * white stay). Only for detection, as the last resort: an over-exposed selfie whose skin is clipped to white keeps
 * its eyes, brows and mouth in the darker half of the range, and the curve gives them back a face's contrast
 * against the skin, where a linear stretch (stretch-contrast.ts) cannot, since its range already spans 0..255.
 * The descriptor is still computed from the original pixels.
 */
import type { RgbPixels } from "./align-face.ts";

export function darkenMidtones(image: RgbPixels, gamma: number): Buffer {
  const map = new Uint8Array(256);
  for (let v = 0; v < 256; v++) map[v] = Math.round(255 * (v / 255) ** gamma);
  const out = Buffer.alloc(image.rgb.length);
  for (let i = 0; i < out.length; i++) out[i] = map[image.rgb[i]!]!;
  return out;
}
