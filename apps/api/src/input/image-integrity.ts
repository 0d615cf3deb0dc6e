/**
 * Cheap completeness checks on an image whose magic bytes already say JPEG or PNG: a truncated upload
 * (a client cut off mid-body, a half-written file) is refused with a 400 at once instead of costing a
 * job, an S3 PUT and a Rekognition call that can only fail. One linear scan, no decoding.
 */

/** A problem in words, or undefined when the structure is complete. */
export function imageStructureProblem(bytes: Buffer, contentType: "image/jpeg" | "image/png"): string | undefined {
  return contentType === "image/jpeg" ? jpegProblem(bytes) : pngProblem(bytes);
}

// Markers without a length field (SOI, EOI, RSTn, TEM).
const STANDALONE = new Set([0xd8, 0xd9, 0x01, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7]);
const SOS = 0xda;
const EOI = Buffer.from([0xff, 0xd9]);

/**
 * Walks the header segments (each `FF xx` + a 2-byte length) up to the first scan, then looks for the
 * end-of-image marker: inside entropy-coded data an FF byte is always stuffed (FF 00) or a restart
 * marker, so FF D9 after the first scan can only be the real end.
 */
function jpegProblem(bytes: Buffer): string | undefined {
  let offset = 2; // past SOI
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return "the JPEG's header segments are corrupt";
    const marker = bytes[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (STANDALONE.has(marker)) {
      offset += 2;
      continue;
    }
    const length = bytes.readUInt16BE(offset + 2);
    if (length < 2) return "the JPEG's header segments are corrupt";
    if (marker === SOS) {
      // Searched from the end, where the marker almost always is: a forward search read the whole image.
      // Any FF D9 past the scan's start will do (trailing bytes after EOI are allowed), and an embedded
      // thumbnail's EOI sits in a header segment, before this point.
      return bytes.lastIndexOf(EOI) < offset + 2 + length
        ? "the JPEG is truncated (no end-of-image marker)"
        : undefined;
    }
    offset += 2 + length;
  }
  return "the JPEG is truncated (it ends before its image data)";
}

const IEND = 0x49454e44;

/** Walks the chunks (length, type, data, CRC) to IEND; CRCs are left to the decoder. */
function pngProblem(bytes: Buffer): string | undefined {
  let offset = 8; // past the signature
  while (offset + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    if (bytes.readUInt32BE(offset + 4) === IEND) return undefined;
    offset += 12 + length;
  }
  return "the PNG is truncated (no IEND chunk)";
}
