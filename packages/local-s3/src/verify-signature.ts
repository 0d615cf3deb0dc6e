/**
 * Checks a request's AWS Signature V4 (the Authorization header the AWS SDKs send) against the one
 * configured key pair. s3rver itself checks only the access key id and never the V4 signature, so anyone
 * who saw the (non-secret) key id could read every selfie; recomputing the signature with the AWS SDK's own
 * signer (@smithy/signature-v4, the code that signs the requests) means the secret is needed, and keeps the
 * canonicalisation rules out of this repository. The body is not hashed again: the signature covers its
 * declared x-amz-content-sha256, which is enough to refuse strangers on a local store.
 */
import { createHash, createHmac, timingSafeEqual, type BinaryLike } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { SignatureV4 } from "@smithy/signature-v4";
import { S3RequestError } from "./s3-error.ts";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

// S3 refuses a request signed more than 15 minutes away from its clock (a captured request is not replayable).
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** node:crypto behind the hash interface the signer expects (an HMAC when given a key). */
export class NodeSha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", toBinary(secret));
  }
  update(data: SourceData): void {
    this.hash.update(toBinary(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }
}

type SourceData = string | ArrayBuffer | ArrayBufferView;
const toBinary = (data: SourceData): BinaryLike =>
  typeof data === "string"
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

const denied = (message: string) => new S3RequestError(403, "AccessDenied", message);

export function createSignatureVerifier(credentials: Credentials, now: () => number = Date.now) {
  return async function verifySignature(req: IncomingMessage): Promise<void> {
    const url = new URL(req.url ?? "/", "http://local");
    if (url.searchParams.has("X-Amz-Signature")) {
      throw denied("Presigned URLs are not supported by the local S3; sign the Authorization header.");
    }
    const header = req.headers.authorization;
    if (!header) throw denied("Anonymous requests are refused: sign the request with the configured key.");
    const match = AUTHORIZATION.exec(header);
    if (!match)
      throw denied("Only AWS Signature Version 4 (AWS4-HMAC-SHA256) in the Authorization header is accepted.");
    const [, accessKeyId, , region, signedHeaderList, signature] = match as unknown as string[];
    if (accessKeyId !== credentials.accessKeyId) {
      throw new S3RequestError(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist.");
    }
    const amzDate = String(req.headers["x-amz-date"] ?? "");
    const signingDate = parseAmzDate(amzDate);
    if (!signingDate) throw denied("The request has no valid x-amz-date header.");
    if (Math.abs(now() - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) {
      throw new S3RequestError(
        403,
        "RequestTimeTooSkewed",
        "The difference between the request time and now is too large.",
      );
    }

    const signedHeaders = signedHeaderList!.split(";");
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) {
      const value = req.headers[name];
      if (value === undefined) throw denied(`The signed header ${name} is missing.`);
      headers[name] = Array.isArray(value) ? value.join(",") : value;
    }
    const query: Record<string, string | string[]> = {};
    for (const [key, value] of url.searchParams) {
      const previous = query[key];
      query[key] = previous === undefined ? value : [...[previous].flat(), value];
    }
    const signer = new SignatureV4({
      credentials,
      region: region!,
      service: "s3",
      sha256: NodeSha256,
      // S3 signs the path as sent (no second round of escaping).
      uriEscapePath: false,
      applyChecksum: false,
    });
    const expected = await signer.sign(
      {
        method: req.method ?? "GET",
        protocol: "http:",
        hostname: "local",
        path: (req.url ?? "/").split("?")[0]!,
        query,
        headers,
      },
      { signingDate, signableHeaders: new Set(signedHeaders) },
    );
    const expectedSignature = /Signature=([0-9a-f]{64})$/.exec(String(expected.headers.authorization))?.[1] ?? "";
    if (!timingSafeEqual(Buffer.from(expectedSignature.padEnd(64)), Buffer.from(signature!))) {
      throw new S3RequestError(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided.",
      );
    }
  };
}

/** `20261201T091906Z` -> Date, or undefined when malformed. */
function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
