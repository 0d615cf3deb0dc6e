/**
 * The hard conditions: the clean fixtures damaged with sharp the way real selfies and ID scans are.
 * Every parameter that varies (JPEG quality, angle, light, blur) is drawn from a hash of the file and
 * condition name, so each run damages each photo the same way.
 */
import { createHash } from "node:crypto";
import sharp, { type Sharp } from "sharp";

/** A face's tight box (jaw to jaw, brows to chin) in pixels of the clean photo, from its clean-pass landmarks. */
export interface PixelBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Condition {
  name: string;
  /** What the damage is, for the printed table. */
  what: string;
  apply(image: Buffer, face: PixelBox, key: string): Promise<Buffer>;
}

/** A number in [lo, hi] fixed by the key. */
function draw(key: string, lo: number, hi: number): number {
  const u = createHash("sha256").update(key).digest().readUInt32BE(0) / 0xffffffff;
  return lo + u * (hi - lo);
}

const GREY = { r: 128, g: 128, b: 128 };

async function tightCrop(image: Buffer, face: PixelBox): Promise<Sharp> {
  const meta = await sharp(image).metadata();
  const left = Math.max(0, Math.round(face.left));
  const top = Math.max(0, Math.round(face.top));
  const width = Math.min(meta.width - left, Math.round(face.width));
  const height = Math.min(meta.height - top, Math.round(face.height));
  return sharp(image).extract({ left, top, width, height });
}

/** The photo scaled so that the face's tight box is `side` pixels wide (margin kept). */
async function faceWidth(image: Buffer, face: PixelBox, side: number): Promise<Buffer> {
  const meta = await sharp(image).metadata();
  const scale = side / face.width;
  return sharp(image)
    .resize(Math.max(1, Math.round(meta.width * scale)), Math.max(1, Math.round(meta.height * scale)), { fit: "fill" })
    .jpeg({ quality: 90 })
    .toBuffer();
}

export const CONDITIONS: Condition[] = [
  {
    name: "tight",
    what: "crop to the face (jaw to jaw, brows to chin), no margin",
    apply: async (img, face) => (await tightCrop(img, face)).jpeg({ quality: 90 }).toBuffer(),
  },
  { name: "grey", what: "greyscale", apply: (img) => sharp(img).greyscale().jpeg({ quality: 90 }).toBuffer() },
  { name: "face150", what: "photo scaled so the face is 150 px wide", apply: (img, f) => faceWidth(img, f, 150) },
  { name: "face100", what: "photo scaled so the face is 100 px wide", apply: (img, f) => faceWidth(img, f, 100) },
  {
    name: "jpeg",
    what: "JPEG quality 30-50",
    apply: (img, _f, key) =>
      sharp(img)
        .jpeg({ quality: Math.round(draw(key, 30, 50)) })
        .toBuffer(),
  },
  {
    name: "rotate",
    what: "rotated 10-25 degrees either way, grey corners",
    apply: (img, _f, key) =>
      sharp(img)
        .rotate(draw(key, 10, 25) * (draw(key + "sign", 0, 1) < 0.5 ? -1 : 1), { background: GREY })
        .jpeg({ quality: 90 })
        .toBuffer(),
  },
  {
    name: "dim",
    what: "dim light: pixels x 0.30-0.45",
    apply: (img, _f, key) =>
      sharp(img)
        .linear(draw(key, 0.3, 0.45), 0)
        .jpeg({ quality: 90 })
        .toBuffer(),
  },
  {
    name: "bright",
    what: "over-exposed: pixels x 1.6-2.0 + 30, clipped",
    apply: (img, _f, key) =>
      sharp(img)
        .linear(draw(key, 1.6, 2.0), 30)
        .jpeg({ quality: 90 })
        .toBuffer(),
  },
  {
    name: "blur",
    what: "gaussian blur, sigma 1.5-3",
    apply: (img, _f, key) =>
      sharp(img)
        .blur(draw(key, 1.5, 3))
        .jpeg({ quality: 90 })
        .toBuffer(),
  },
  {
    name: "id-crop",
    what: "tight crop, greyscale, 150 x 150 px, JPEG 30-50 (the field report's crops)",
    apply: async (img, face, key) =>
      (await tightCrop(img, face))
        .resize(150, 150, { fit: "fill" })
        .greyscale()
        .jpeg({ quality: Math.round(draw(key, 30, 50)) })
        .toBuffer(),
  },
];
