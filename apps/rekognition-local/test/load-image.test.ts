/**
 * S3 images against a real local S3. It always sends Content-Length, so the client below drops
 * ContentLength from GetObject's answer, as a chunked response (no Content-Length) would arrive.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand, type GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { startLocalS3, type LocalS3 } from "@faceindex/local-s3";
import { facePhoto, localS3Client, uniqueName } from "@faceindex/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RekognitionError } from "../src/protocol/errors.ts";
import { MAX_S3_IMAGE_BYTES, loadImage } from "../src/images/load-image.ts";

let root: string;
let localS3: LocalS3;
let s3: S3Client;
const bucket = uniqueName("images");

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "load-image-test-"));
  localS3 = await startLocalS3({ directory: root, buckets: [bucket] });
  s3 = localS3Client(localS3.endpoint);
});

afterAll(async () => {
  s3?.destroy();
  await localS3?.close();
  rmSync(root, { recursive: true, force: true });
});

const withoutContentLength = {
  send: async (command: GetObjectCommand) => ({ ...(await s3.send(command)), ContentLength: undefined }),
} as unknown as Pick<S3Client, "send">;

/** A JPEG padded to exactly `size` bytes. */
async function putJpeg(size: number): Promise<string> {
  const photo = facePhoto("same/obama_1.jpg");
  const key = uniqueName("image");
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.concat([photo, Buffer.alloc(size - photo.length)]) }),
  );
  return key;
}

describe("S3 images without a ContentLength", () => {
  it("rejects an object one byte over the limit with ImageTooLargeException", async () => {
    const key = await putJpeg(MAX_S3_IMAGE_BYTES + 1);
    const error = await loadImage({ S3Object: { Bucket: bucket, Name: key } }, withoutContentLength).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RekognitionError);
    expect(error).toMatchObject({ code: "ImageTooLargeException", status: 400 });
  });

  it("reads an object of exactly the limit", async () => {
    const key = await putJpeg(MAX_S3_IMAGE_BYTES);
    const bytes = await loadImage({ S3Object: { Bucket: bucket, Name: key } }, withoutContentLength);
    expect(bytes.length).toBe(MAX_S3_IMAGE_BYTES);
  });
});
