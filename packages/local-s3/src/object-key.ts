/**
 * Which bucket names and object keys the local S3 accepts. s3rver keeps every object as files named after
 * the key's segments, so a key that a filesystem cannot hold safely is refused here before s3rver sees it:
 * `.`/`..` segments (they would walk out of the bucket or into another one), a leading `/` or an empty
 * segment (paths that collapse into another key), a segment over 255 bytes (ENAMETOOLONG). AWS accepts some
 * of these; every filesystem-backed S3 server cannot.
 */
import { S3RequestError } from "./s3-error.ts";

/** Linux's NAME_MAX: the longest file name (in bytes) ext4, xfs and tmpfs hold. */
export const MAX_SEGMENT_BYTES = 255;
/**
 * s3rver names the last segment's files `<segment>._S3rver_metadata.json` (its longest suffix, 22 bytes), so
 * the last segment must leave room for it.
 */
export const S3RVER_SUFFIX_BYTES = "._S3rver_metadata.json".length;
// S3's own limit on a whole key.
const MAX_KEY_BYTES = 1024;
// S3's bucket naming rules (lowercase, digits, dots, hyphens; 3-63 characters), which also rule out `..`.
const BUCKET_NAME = /^(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function checkBucketName(bucket: string): void {
  if (!BUCKET_NAME.test(bucket))
    throw new S3RequestError(400, "InvalidBucketName", "The specified bucket is not valid.");
}

export function checkObjectKey(key: string): void {
  const refuse = (why: string) => {
    throw new S3RequestError(400, "InvalidArgument", `Object key refused by the local S3: ${why}.`);
  };
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new S3RequestError(400, "KeyTooLongError", "Your key is too long.");
  if (key.startsWith("/")) refuse("it starts with '/'");
  if (key.includes("\0")) refuse("it contains a NUL byte");
  const segments = key.split("/");
  segments.forEach((segment, i) => {
    if (segment === "") refuse("it has an empty segment ('//' or a trailing '/')");
    if (segment === "." || segment === "..") refuse(`it has a '${segment}' segment`);
    const room = i === segments.length - 1 ? MAX_SEGMENT_BYTES - S3RVER_SUFFIX_BYTES : MAX_SEGMENT_BYTES;
    if (Buffer.byteLength(segment) > room) refuse(`a segment is over ${room} bytes`);
  });
}
