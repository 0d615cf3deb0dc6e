/**
 * Which image format some bytes are, by their magic bytes alone: a file name or a declared content type
 * does not count. The API, the worker and the local Rekognition server accept the same two formats
 * Rekognition does, so they all ask this one function.
 */
export const IMAGE_CONTENT_TYPES = ["image/jpeg", "image/png"] as const;
export type ImageContentType = (typeof IMAGE_CONTENT_TYPES)[number];

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** JPEG or PNG by magic bytes; undefined for anything else. */
export function sniffImageType(bytes: Uint8Array): ImageContentType | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "image/jpeg";
  if (bytes.length >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((byte, i) => bytes[i] === byte)) return "image/png";
  return undefined;
}
