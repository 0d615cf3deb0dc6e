/**
 * Sizes of base64 text and of the bytes it holds, by arithmetic alone: a multi-megabyte image can be
 * measured (and refused) before anything is allocated or decoded.
 */

/** Characters of standard, padded base64 for `bytes` bytes (4 for every 3, the last group padded). */
export function base64EncodedLength(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

/** Bytes that standard base64 `text` (no whitespace, padding optional) decodes to. */
export function base64DecodedLength(text: string): number {
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  return Math.floor((text.length * 3) / 4) - padding;
}
