/**
 * POST /index_faces bodies, each with its own external id and image key (so no two requests are the same job
 * or the same object), built by concatenating buffers around one base64 image: building a megabyte body costs
 * the load generator a copy, not a JSON.stringify.
 */
import { randomUUID } from "node:crypto";

export type BodyFactory = () => Buffer;

export function bodyFactory(image: Buffer, bucket: string, label: string): BodyFactory {
  // A fresh tag per factory: two runs (or a warm-up and its row) never reuse an id.
  const tag = `${label}-${randomUUID().slice(0, 8)}`;
  const imageField = Buffer.from(`"image":"${image.toString("base64")}"}`);
  let counter = 0;
  return () => {
    const n = ++counter;
    const head = `{"bucket":"${bucket}","image_key":"bench/${tag}/${n}.jpg","external_image_id":"${tag}-${n}",`;
    return Buffer.concat([Buffer.from(head), imageField]);
  };
}

// Fixed: the image bytes never contain it (a JPEG's bytes are not ASCII text of this length).
const BOUNDARY = "faceindex-bench-7c1f3a9e2b5d4e60";
export const MULTIPART_CONTENT_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

/** The same requests as multipart/form-data: the fields as text parts, the image as raw bytes in a file part. */
export function multipartBodyFactory(image: Buffer, bucket: string, label: string): BodyFactory {
  const tag = `${label}-${randomUUID().slice(0, 8)}`;
  const field = (name: string, value: string) =>
    `--${BOUNDARY}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const fileHead = Buffer.from(
    `--${BOUNDARY}\r\ncontent-disposition: form-data; name="image"; filename="selfie.jpg"\r\n` +
      "content-type: image/jpeg\r\n\r\n",
  );
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  let counter = 0;
  return () => {
    const n = ++counter;
    const fields =
      field("bucket", bucket) + field("image_key", `bench/${tag}/${n}.jpg`) + field("external_image_id", `${tag}-${n}`);
    return Buffer.concat([Buffer.from(fields), fileHead, image, tail]);
  };
}
