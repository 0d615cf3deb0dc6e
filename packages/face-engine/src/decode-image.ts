/**
 * Turns JPEG or PNG bytes into pixels with sharp, or throws ImageDecodeError with a message a client
 * can act on. EXIF orientation is applied, so boxes are relative to the image as people see it.
 */
import sharp from "sharp";
import { ImageDecodeError } from "./types.ts";

/** 40 megapixels: well above any phone photo, far below what would exhaust a thread's memory. */
const MAX_INPUT_PIXELS = 40_000_000;

export type ImageFormat = "jpeg" | "png";

export interface ImageHeader {
  format: ImageFormat;
  /** After EXIF orientation. */
  width: number;
  height: number;
}

export interface DecodedImage extends ImageHeader {
  /** Interleaved RGB, `scale` times the original size. */
  rgb: Buffer;
  pixelsWide: number;
  pixelsHigh: number;
  /** pixelsWide / width (1 unless the image was downscaled). */
  scale: number;
}

/** Identifies the format by magic bytes; the file name or content type a client sends does not count. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= png.length && png.every((b, i) => bytes[i] === b)) return "png";
  throw new ImageDecodeError(`${describeBytes(bytes)}: only JPEG and PNG images are supported`);
}

/** Format and oriented size from the header only (cheap; does not prove the pixel data is intact). */
export async function readImageHeader(bytes: Uint8Array): Promise<ImageHeader> {
  const format = sniffImageFormat(bytes);
  try {
    const meta = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
    const { width, height } = meta.autoOrient;
    if (!width || !height) throw new Error("no dimensions");
    if (width * height > MAX_INPUT_PIXELS) throw new Error(`larger than ${MAX_INPUT_PIXELS / 1e6} megapixels`);
    return { format, width, height };
  } catch (error) {
    throw decodeError(format, error);
  }
}

/**
 * Full decode to RGB (alpha flattened onto grey). Images with a side above maxSide are downscaled:
 * the detector works at 512 px anyway, and this bounds memory and time per image.
 */
export async function decodeImage(bytes: Uint8Array, maxSide: number): Promise<DecodedImage> {
  const header = await readImageHeader(bytes);
  const scale = Math.min(1, maxSide / Math.max(header.width, header.height));
  try {
    let pipeline = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: "error" }).autoOrient();
    if (scale < 1) {
      pipeline = pipeline.resize(Math.round(header.width * scale), Math.round(header.height * scale), { fit: "fill" });
    }
    const { data, info } = await pipeline
      .flatten({ background: { r: 128, g: 128, b: 128 } })
      .removeAlpha()
      .toColourspace("srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`unexpected ${info.channels} channels`);
    return { ...header, rgb: data, pixelsWide: info.width, pixelsHigh: info.height, scale: info.width / header.width };
  } catch (error) {
    throw decodeError(header.format, error);
  }
}

function decodeError(format: ImageFormat, error: unknown): ImageDecodeError {
  const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
  return new ImageDecodeError(
    `the ${format.toUpperCase()} image could not be decoded (${reason}); is it truncated or corrupt?`,
  );
}

function describeBytes(bytes: Uint8Array): string {
  if (bytes.length === 0) return "the image is empty";
  if (bytes.length >= 4 && Buffer.from(bytes.subarray(0, 4)).toString("latin1") === "GIF8") return "the image is a GIF";
  return "the bytes are not a JPEG or PNG image";
}
