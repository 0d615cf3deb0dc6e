/** S3 behind our own small interface. */
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";

export interface StoredObject {
  etag: string;
  /** User metadata (x-amz-meta-*), names lower-cased. */
  metadata: Record<string, string>;
}

export interface PutImageOptions {
  /** Conditional write (If-None-Match: *): nothing is written when an object is at the key already. */
  onlyIfAbsent?: boolean;
  /**
   * The bytes' sha256 (hex), as the API computed it on arrival. Sent as the signature's payload hash and as
   * the object's SHA-256 checksum, so the SDK does not hash the bytes again and S3 refuses bytes that differ.
   */
  sha256?: string;
}

export interface ImageStore {
  /**
   * Whether the server honours conditional writes (S3_CONDITIONAL_WRITES): AWS S3, MinIO and the local S3
   * refuse If-None-Match: * over an existing object with 412; a server that silently ignores the header
   * would overwrite, so without it callers look first (HEAD).
   */
  readonly conditionalWrites: boolean;
  /**
   * Stores the bytes; the etag is S3's, without the HTTP quotes (the MD5 hex for a single PUT). With
   * `onlyIfAbsent`, null means nothing was written: an object is at the key (412), or the server cannot do
   * conditional writes (501) and the caller must look itself.
   */
  putImage(
    bucket: string,
    key: string,
    bytes: Buffer,
    contentType: string,
    /** User metadata (x-amz-meta-*), e.g. EXTERNAL_ID_METADATA. */
    metadata: Record<string, string>,
    options?: PutImageOptions,
  ): Promise<{ etag: string } | null>;
  /** The object's etag and metadata, or null when there is none at the key. */
  headImage(bucket: string, key: string): Promise<StoredObject | null>;
  /** Deletes the object; deleting a missing key succeeds, so a retried erasure is harmless. */
  deleteImage(bucket: string, key: string): Promise<void>;
}

/**
 * User metadata naming the external id an object was stored for (x-amz-meta-external-image-id), written
 * on every PUT: Rekognition's faces do not say which object they came from, so `pnpm gallery:rebuild`
 * recovers image keys from it, and an enrolment checks it before writing over a key (IMAGE_KEY_TAKEN).
 */
export const EXTERNAL_ID_METADATA = "external-image-id";
/** User metadata naming the tenant the object was stored for; absent on objects older than tenants (the default tenant). */
export const TENANT_METADATA = "faceindex-tenant";

export function createImageStore(client: Pick<S3Client, "send">, settings = { conditionalWrites: true }): ImageStore {
  const put = async (command: PutObjectCommand, sha256: string | undefined) => {
    if (sha256 !== undefined) withPayloadHash(command, sha256);
    const response = await client.send(command);
    return { etag: unquote(response.ETag) };
  };
  return {
    conditionalWrites: settings.conditionalWrites,
    async putImage(bucket, key, bytes, contentType, metadata, options = {}) {
      // A Buffer, not a stream: the SDK then knows the length and signs a plain body.
      const input = {
        Bucket: bucket,
        Key: key,
        Body: bytes,
        ContentType: contentType,
        Metadata: metadata,
        // S3 checks the stored bytes against the API's hash; the SDK computes no checksum of its own then.
        ...(options.sha256 === undefined
          ? {}
          : {
              ChecksumAlgorithm: "SHA256" as const,
              ChecksumSHA256: Buffer.from(options.sha256, "hex").toString("base64"),
            }),
      };
      if (!options.onlyIfAbsent) return put(new PutObjectCommand(input), options.sha256);
      try {
        return await put(new PutObjectCommand({ ...input, IfNoneMatch: "*" }), options.sha256);
      } catch (error) {
        const status = httpStatus(error);
        if (status === 412 || status === 501) return null;
        throw error;
      }
    },
    async headImage(bucket, key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { etag: unquote(head.ETag), metadata: head.Metadata ?? {} };
      } catch (error) {
        if (httpStatus(error) === 404) return null;
        throw error;
      }
    },
    async deleteImage(bucket, key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
  };
}

/**
 * SigV4 signs a hash of the payload (x-amz-content-sha256); the SDK's signer takes that header when it is
 * already set instead of hashing the bytes itself, which at 1 MB was the worker's largest single cost.
 */
function withPayloadHash(command: PutObjectCommand, sha256: string): void {
  command.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers["x-amz-content-sha256"] = sha256;
      return next(args);
    },
    { step: "build", name: "faceindexPayloadHash" },
  );
}

function unquote(etag: string | undefined): string {
  return (etag ?? "").replace(/^"|"$/g, "");
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}
