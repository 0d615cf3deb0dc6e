/**
 * A local S3-compatible server for `pnpm start` and the tests, so the pipeline stores real objects without
 * an AWS account. Point clients at it with path-style addressing and these credentials.
 *
 * It is s3rver (kept, widely used, speaks enough of S3 for us) behind a guard, not a replacement: our own
 * http server checks every request (signature, bucket, key: see guard.ts) and only then hands it to s3rver's
 * Koa handler; anything that goes wrong in either becomes an S3 XML error answer. Writing a new S3 server
 * would mean owning listing, ranges, metadata and XML that s3rver already gets right.
 */
import { chmodSync, mkdirSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
// s3rver is CommonJS without types; we use its documented constructor, configureBuckets() and callback().
import S3rver from "s3rver";
import { guardRequest, type RequestTarget } from "./guard.ts";
import { makePutObjectSafe } from "./safe-put-object.ts";
import { S3RequestError, s3ErrorXml, sendS3Error } from "./s3-error.ts";
import { createSignatureVerifier, type Credentials } from "./verify-signature.ts";

/** The default key pair of the local S3 (override with LocalS3Options.credentials). */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

export interface LocalS3Options {
  /** Where objects are kept; survives restarts. Created 0700: it holds selfies. */
  directory: string;
  /** 0 picks a free port. The server listens on 127.0.0.1 only. */
  port?: number;
  /** Buckets created at start when missing (s3rver has no auto-create, like S3). */
  buckets?: string[];
  /** The only key pair accepted; LOCAL_S3_CREDENTIALS when unset. */
  credentials?: Credentials;
}

/** Answers 200 without credentials (readiness checks); `_local` is not a valid bucket name, so no clash. */
export const LOCAL_S3_HEALTH_PATH = "/_local/health";

export interface LocalS3 {
  endpoint: string;
  close(): Promise<void>;
}

export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  mkdirSync(options.directory, { recursive: true, mode: 0o700 });
  chmodSync(options.directory, 0o700); // an existing directory keeps its mode otherwise
  const s3rver = new S3rver({
    directory: options.directory,
    silent: true,
    // Path-style only: virtual-host buckets would need DNS names for every bucket.
    vhostBuckets: false,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name, configs: [] })),
  });
  makePutObjectSafe(s3rver.store);
  await s3rver.configureBuckets();
  const handle = s3rver.callback();
  // Koa's default error listener prints every failed request; the client gets the XML answer instead.
  s3rver.on("error", () => {});
  const verifySignature = createSignatureVerifier(options.credentials ?? LOCAL_S3_CREDENTIALS);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === "GET" && req.url === LOCAL_S3_HEALTH_PATH) {
      res.end("ok");
      return;
    }
    guardRequest(req, verifySignature)
      .then(async (target) => {
        await refuseOverwriteIfAsked(req, target, s3rver.store);
        return target;
      })
      .then(
        () => {
          // Verified above; s3rver knows only its own key, so it gets the request as an (allowed) anonymous one.
          delete req.headers.authorization;
          return handle(req, res);
        },
        (error: unknown) => {
          const s3Error =
            error instanceof S3RequestError
              ? error
              : new S3RequestError(500, "InternalError", "We encountered an internal error. Please try again.");
          sendS3Error(res, s3Error, req.method ?? "GET", (req.url ?? "/").split("?")[0]!);
        },
      )
      // Koa answers its own errors; should anything still escape, drop this connection, not the server.
      .catch(() => res.destroy());
  });
  // Malformed HTTP (bad headers, a reset mid-request) gets an S3-style 400 when it can still be written.
  server.on("clientError", (_error, socket: Duplex) => {
    if (!socket.writable) return void socket.destroy();
    const body = s3ErrorXml("BadRequest", "Malformed HTTP request.");
    socket.end(
      `HTTP/1.1 400 Bad Request\r\ncontent-type: application/xml\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * S3's conditional write (If-None-Match: * on PutObject): 412 when an object is at the key, as AWS answers.
 * s3rver ignores the header and would overwrite. Checked before the body is stored, not atomically with it:
 * the workers settle concurrent writers of one key with their own Redis claim, and this protects what is
 * stored without one.
 */
async function refuseOverwriteIfAsked(
  req: IncomingMessage,
  target: RequestTarget,
  store: { existsObject(bucket: string, key: string): Promise<boolean> },
): Promise<void> {
  if (req.method !== "PUT" || req.headers["if-none-match"] !== "*") return;
  if (target.bucket === undefined || target.key === undefined || req.headers["x-amz-copy-source"] !== undefined) return;
  if (await store.existsObject(target.bucket, target.key)) {
    throw new S3RequestError(
      412,
      "PreconditionFailed",
      "At least one of the pre-conditions you specified did not hold",
    );
  }
}
