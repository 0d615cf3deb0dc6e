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
