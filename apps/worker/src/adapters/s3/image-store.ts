/** S3 behind our own small interface. */
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";

export interface ImageStore {
  /** Stores the bytes; the etag is S3's, without the HTTP quotes (the MD5 hex for a single PUT). */
  putImage(
    bucket: string,
    key: string,
    bytes: Buffer,
    contentType: string,
    /** User metadata (x-amz-meta-*), e.g. EXTERNAL_ID_METADATA. */
    metadata: Record<string, string>,
  ): Promise<{ etag: string }>;
  /** Deletes the object; deleting a missing key succeeds, so a retried erasure is harmless. */
  deleteImage(bucket: string, key: string): Promise<void>;
}

/**
 * User metadata naming the external id an object was indexed under (x-amz-meta-external-image-id):
 * Rekognition's faces do not say which object they came from, so `pnpm gallery:rebuild` recovers
 * image keys from it.
 */
export const EXTERNAL_ID_METADATA = "external-image-id";

export function createImageStore(client: Pick<S3Client, "send">): ImageStore {
  return {
    async putImage(bucket, key, bytes, contentType, metadata) {
      // A Buffer, not a stream: the SDK then knows the length and signs a plain body.
      const response = await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: contentType, Metadata: metadata }),
      );
      return { etag: (response.ETag ?? "").replace(/^"|"$/g, "") };
    },
    async deleteImage(bucket, key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
  };
}
