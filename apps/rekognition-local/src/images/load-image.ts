/**
 * Resolves a request's `Image` ({Bytes} or {S3Object}) to the image bytes, with AWS's limits and errors:
 * JPEG or PNG only (by magic bytes: sniffImageType, the same test as the API's and the worker's), 5 MB for Bytes
 * (checked by the validator), 15 MB for S3 objects.
 */
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { sniffImageType } from "@faceindex/common";
import { RekognitionError, invalidParameter } from "../protocol/errors.ts";

/** AWS's documented limit for images passed as an S3 object. */
export const MAX_S3_IMAGE_BYTES = 15 * 1024 * 1024;

export interface WireImage {
  Bytes?: string;
  S3Object?: { Bucket?: string; Name?: string; Version?: string };
}

const invalidFormat = (): RekognitionError =>
  new RekognitionError("InvalidImageFormatException", "Request has invalid image format");

const invalidS3Object = (): RekognitionError =>
  new RekognitionError(
    "InvalidS3ObjectException",
    "Unable to get object metadata from S3. Check object key, region and/or access permissions.",
  );

export async function loadImage(image: WireImage, s3: Pick<S3Client, "send">): Promise<Uint8Array> {
  if ((image.Bytes === undefined) === (image.S3Object === undefined)) {
    throw invalidParameter("Image must have exactly one of Bytes or S3Object");
  }
  const bytes =
    image.Bytes !== undefined ? Buffer.from(image.Bytes, "base64") : await fetchS3Image(image.S3Object!, s3);
  if (sniffImageType(bytes) === undefined) throw invalidFormat();
  return bytes;
}

async function fetchS3Image(
  object: NonNullable<WireImage["S3Object"]>,
  s3: Pick<S3Client, "send">,
): Promise<Uint8Array> {
  if (!object.Bucket || !object.Name) throw invalidParameter("S3Object must have a Bucket and a Name");
  let response;
  try {
    response = await s3.send(
      new GetObjectCommand({ Bucket: object.Bucket, Key: object.Name, VersionId: object.Version }),
    );
  } catch (error) {
    // Missing bucket or key, no access, or a wrong region: AWS answers all of these the same way.
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== undefined && status >= 400 && status < 500) throw invalidS3Object();
    throw error;
  }
  if (response.ContentLength !== undefined && response.ContentLength > MAX_S3_IMAGE_BYTES) {
    response.Body?.transformToWebStream()
      .cancel()
      .catch(() => {});
    throw new RekognitionError(
      "ImageTooLargeException",
      `Image size ${response.ContentLength} bytes exceeds the maximum of ${MAX_S3_IMAGE_BYTES} bytes for S3 objects`,
    );
  }
  if (!response.Body) throw invalidS3Object();
  // Counted while reading: a response without ContentLength (chunked) would otherwise be read whole into
  // memory, however large the object is.
  return readAtMost(response.Body.transformToWebStream(), MAX_S3_IMAGE_BYTES);
}

async function readAtMost(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks, size);
    size += value.length;
    if (size > limit) {
      // Stops the download (the connection is closed) rather than reading the rest of a huge object.
      reader.cancel().catch(() => {});
      throw new RekognitionError(
        "ImageTooLargeException",
        `Image size exceeds the maximum of ${limit} bytes for S3 objects`,
      );
    }
    chunks.push(value);
  }
}
