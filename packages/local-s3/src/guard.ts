/**
 * The checks every request passes before s3rver sees it: a signed request from the configured key, a valid
 * bucket name and a key the filesystem store can hold, and no multipart upload (its parts are written by
 * s3rver code that crashes on a write error, and nothing here uses it). CopyObject's source header too.
 */
import type { IncomingMessage } from "node:http";
import { checkBucketName, checkObjectKey } from "./object-key.ts";
import { S3RequestError } from "./s3-error.ts";

export interface RequestTarget {
  bucket?: string;
  key?: string;
}

/** Bucket and key of a path-style request, decoded the way s3rver's router will decode them. */
export function requestTarget(req: IncomingMessage): RequestTarget {
  const rawPath = (req.url ?? "/").split("?")[0]!;
  if (!rawPath.startsWith("/")) throw new S3RequestError(400, "InvalidURI", "Couldn't parse the specified URI.");
  const slash = rawPath.indexOf("/", 1);
  const rawBucket = slash === -1 ? rawPath.slice(1) : rawPath.slice(1, slash);
  const rawKey = slash === -1 ? undefined : rawPath.slice(slash + 1);
  try {
    return {
      bucket: rawBucket === "" ? undefined : decodeURIComponent(rawBucket),
      key: rawKey === undefined || rawKey === "" ? undefined : decodeURIComponent(rawKey),
    };
  } catch {
    throw new S3RequestError(400, "InvalidURI", "Couldn't parse the specified URI.");
  }
}

export async function guardRequest(
  req: IncomingMessage,
  verifySignature: (req: IncomingMessage) => Promise<void>,
): Promise<RequestTarget> {
  const target = requestTarget(req);
  await verifySignature(req);
  if (target.bucket !== undefined) checkBucketName(target.bucket);
  if (target.key !== undefined) checkObjectKey(target.key);
  // CopyObject reads its source from a header: the same rules apply to that bucket and key.
  const copySource = req.headers["x-amz-copy-source"];
  if (copySource !== undefined) {
    const source = requestTarget({ url: `/${String(copySource).replace(/^\//, "")}` } as IncomingMessage);
    checkBucketName(source.bucket ?? "");
    checkObjectKey(source.key ?? "");
  }
  const query = new URL(req.url ?? "/", "http://local").searchParams;
  if (query.has("uploads") || query.has("uploadId")) {
    throw new S3RequestError(501, "NotImplemented", "Multipart uploads are not supported by the local S3.");
  }
  return target;
}
