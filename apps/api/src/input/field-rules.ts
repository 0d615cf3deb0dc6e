/**
 * The rules on body fields that a JSON schema cannot state with our answers: S3's bucket naming, object
 * keys as UTF-8 bytes, Rekognition's ExternalImageId alphabet, and "must not be empty" in those words.
 * Each throws a 400 whose `msg` names the field and whose `code` is INVALID_<FIELD>.
 */
import { BadRequestError } from "../http/errors.ts";

const BUCKET = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
// Prefixes and suffixes S3 reserves for its own bucket kinds.
const RESERVED_BUCKET = /^(xn--|sthree-)|(-s3alias|--ol-s3|\.mrap|--x-s3)$/;
const EXTERNAL_IMAGE_ID = /^[a-zA-Z0-9_.\-:]{1,255}$/;
// Control characters (C0 and DEL) break S3 listings and logs.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
// S3 limits object keys to 1024 bytes of UTF-8.
const MAX_KEY_BYTES = 1024;
// Linux's NAME_MAX (ext4, xfs, tmpfs): filesystem-backed S3 servers store each key segment as a file name.
const MAX_SEGMENT_BYTES = 255;
// U+FFFD is what invalid UTF-8 in the body decodes to, and a lone surrogate (a "\ud800" escape) has no
// UTF-8 form: either would store the object under a key the client never sent.
const NOT_UTF8 = /\uFFFD|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The schema says "a string"; an empty one is refused here, in words (no minLength: see app.ts on ajv). */
export function checkNotEmpty(field: string, value: { length: number }): void {
  if (value.length === 0) fail(field, "must not be empty");
}

export function checkBucket(bucket: string): void {
  if (bucket.length < 3 || bucket.length > 63) fail("bucket", "must be 3-63 characters long");
  if (!BUCKET.test(bucket)) {
    fail("bucket", "must be lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit");
  }
  if (bucket.includes("..")) fail("bucket", "must not contain two adjacent dots");
  if (IPV4.test(bucket)) fail("bucket", "must not be formatted as an IP address");
  if (RESERVED_BUCKET.test(bucket)) fail("bucket", "uses a prefix or suffix S3 reserves");
}

export function checkExternalImageId(externalImageId: string): void {
  if (!EXTERNAL_IMAGE_ID.test(externalImageId)) {
    fail("external_image_id", "must be 1-255 characters of letters, digits, _ . - :");
  }
}

export function checkImageKey(key: string): void {
  if (Buffer.byteLength(key, "utf8") > MAX_KEY_BYTES)
    fail("image_key", `must be at most ${MAX_KEY_BYTES} bytes of UTF-8`);
  if (CONTROL_CHARS.test(key)) fail("image_key", "must not contain control characters");
  if (NOT_UTF8.test(key))
    fail("image_key", "must be valid UTF-8 (it contains an invalid byte sequence or a lone surrogate)");
  checkKeySegments(key);
}

/**
 * AWS holds any key, but S3-compatible servers that keep objects as files (MinIO, s3rver, Ceph's
 * filestore, ...) cannot: `.`/`..` walk out of the bucket, a leading `/` or an empty segment collapses
 * into another key, a segment longer than a file name fails to write. Refusing them keeps a key
 * portable between stores, and what was stored under it is what a later read finds.
 */
function checkKeySegments(key: string): void {
  if (key.startsWith("/")) fail("image_key", "must not start with '/'");
  for (const segment of key.split("/")) {
    if (segment === "") fail("image_key", "must not have an empty segment ('//' or a trailing '/')");
    if (segment === "." || segment === "..") fail("image_key", `must not have a '${segment}' segment`);
    if (Buffer.byteLength(segment, "utf8") > MAX_SEGMENT_BYTES) {
      fail("image_key", `segments between '/' must be at most ${MAX_SEGMENT_BYTES} bytes of UTF-8`);
    }
  }
}

function fail(field: string, problem: string): never {
  throw new BadRequestError(`INVALID_${field.toUpperCase()}`, `${field} ${problem}`);
}
