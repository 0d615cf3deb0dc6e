/** S3 behind our own small interface. */
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";

export interface ImageStore {
  /** Stores the bytes; the etag is S3's, without the HTTP quotes (the MD5 hex for a single PUT). */
  putImage(bucket: string, key: string, bytes: Buffer, contentType: string): Promise<{ etag: string }>;
}

export function createImageStore(client: Pick<S3Client, "send">): ImageStore {
  return {
    async putImage(bucket, key, bytes, contentType) {
      // A Buffer, not a stream: the SDK then knows the length and signs a plain body.
      const response = await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: contentType }),
      );
      return { etag: (response.ETag ?? "").replace(/^"|"$/g, "") };
    },
  };
}
