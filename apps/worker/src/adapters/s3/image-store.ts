/** S3 behind our own small interface. */
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";

export interface StoredObject {
  etag: string;
  /** User metadata (x-amz-meta-*), names lower-cased. */
  metadata: Record<string, string>;
}

export interface ImageStore {
  /**
   * Stores the bytes; the etag is S3's, without the HTTP quotes (the MD5 hex for a single PUT). With
   * `onlyIfAbsent`, the PUT is conditional (If-None-Match: *) and null means an object appeared at the key
   * meanwhile (412), so nothing was written; servers that ignore the header (s3rver) write as usual.
   */
  putImage(
    bucket: string,
    key: string,
    bytes: Buffer,
    contentType: string,
    /** User metadata (x-amz-meta-*), e.g. EXTERNAL_ID_METADATA. */
    metadata: Record<string, string>,
    options?: { onlyIfAbsent?: boolean },
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

export function createImageStore(client: Pick<S3Client, "send">): ImageStore {
  const put = async (command: PutObjectCommand) => {
    const response = await client.send(command);
    return { etag: unquote(response.ETag) };
  };
  return {
    async putImage(bucket, key, bytes, contentType, metadata, options = {}) {
      // A Buffer, not a stream: the SDK then knows the length and signs a plain body.
      const input = { Bucket: bucket, Key: key, Body: bytes, ContentType: contentType, Metadata: metadata };
      if (!options.onlyIfAbsent) return put(new PutObjectCommand(input));
      try {
        return await put(new PutObjectCommand({ ...input, IfNoneMatch: "*" }));
      } catch (error) {
        const status = httpStatus(error);
        if (status === 412) return null;
        // A server without conditional writes: the caller checked the key already (claim + HEAD).
        if (status === 501) return put(new PutObjectCommand(input));
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

function unquote(etag: string | undefined): string {
  return (etag ?? "").replace(/^"|"$/g, "");
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}
