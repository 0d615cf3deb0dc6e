/**
 * The worker against the real parts: Redis, the local S3 (s3rver) and the local Rekognition server
 * (real face engine) over HTTP with the official AWS SDK. Each test has its own queue and prefix.
 */
import { createHash } from "node:crypto";
import { GetObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import type { IndexFacesJob } from "@faceindex/contracts";
import { clearFaults, facePhoto, injectFault, uniqueName } from "@faceindex/testing";
import { ensureCollection } from "../src/adapters/rekognition/ensure-collection.ts";
import { createFaceIndex } from "../src/adapters/rekognition/face-index.ts";
import {
  enqueueIndexJob,
  keyGone,
  startIndexWorkers,
  startLocalParts,
  waitForJob,
  type IndexWorkers,
  type LocalParts,
} from "./helpers.ts";

const logger = pino({ level: "silent" });
const collectionId = uniqueName("faces");
let parts: LocalParts;
let bucket: string;

beforeAll(async () => {
  // One neural engine for the whole file: its models take seconds to load.
  parts = await startLocalParts("kyc", inject("redisUrl"), { mode: "neural", threads: 1, log: () => {} });
  bucket = parts.bucket;
  await ensureCollection(createFaceIndex(parts.rekognition), collectionId, logger);
});

afterAll(async () => {
  await parts?.close();
});

const harnesses: IndexWorkers[] = [];

function startHarness(): IndexWorkers {
  const harness = startIndexWorkers(parts, { collectionId, logger });
  harnesses.push(harness);
  return harness;
}

afterEach(async () => {
  await clearFaults(parts.rekognitionUrl);
  for (const harness of harnesses.splice(0)) await harness.close();
});

/** Parks the bytes like the API does and enqueues the job; retries back off 10 ms instead of 250 ms. */
function submit(harness: IndexWorkers, bytes: Buffer | null, overrides: Partial<IndexFacesJob> = {}) {
  return enqueueIndexJob({ ...harness, redis: parts.redis, bucket }, bytes, overrides);
}

describe("index-faces worker", () => {
  it("indexes a real face, stores the same bytes in S3 and deletes the parked image", async () => {
    const harness = startHarness();
    const photo = facePhoto("same/obama_1.jpg");
    const { jobId, job } = await submit(harness, photo);

    const { outcome, attemptsMade } = await waitForJob(harness.queue, jobId);

    expect(attemptsMade).toBe(1);
    if (outcome?.status !== "indexed") throw new Error(`expected indexed, got ${JSON.stringify(outcome)}`);
    expect(outcome.data.face_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(outcome.data.external_image_id).toBe(job.externalImageId);
    expect(outcome.data.collection_id).toBe(collectionId);
    expect(outcome.data.indexed_faces.map((face) => face.face_id)).toEqual([outcome.data.face_id]);
    expect(outcome.data.s3).toEqual({
      bucket,
      key: job.objectKey,
      etag: createHash("md5").update(photo).digest("hex"),
    });

    const stored = await parts.s3.send(new GetObjectCommand({ Bucket: bucket, Key: job.objectKey }));
    expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(photo)).toBe(true);
    expect(stored.ContentType).toBe("image/jpeg");
    const head = await parts.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: job.objectKey }));
    expect(head.ETag).toBe(`"${outcome.data.s3.etag}"`);
    expect(await keyGone(parts.redis, job.imageKey)).toBe(true);
  });

  it("indexes every face of a group photo up to maxFaces, the largest first", async () => {
    const harness = startHarness();
    const { jobId } = await submit(harness, facePhoto("group/whitehouse_obama_biden.jpg"), { maxFaces: 2 });

    const { outcome } = await waitForJob(harness.queue, jobId);

    if (outcome?.status !== "indexed") throw new Error(`expected indexed, got ${JSON.stringify(outcome)}`);
    const [first, second] = outcome.data.indexed_faces;
    expect(outcome.data.indexed_faces).toHaveLength(2);
    expect(outcome.data.face_id).toBe(first?.face_id);
    const area = (face: typeof first) => (face ? face.bounding_box.width * face.bounding_box.height : 0);
    expect(area(first)).toBeGreaterThanOrEqual(area(second));
    expect(first?.face_id).not.toBe(second?.face_id);
  });

  it("answers no_face with a reason for a photo without a face", async () => {
    const harness = startHarness();
    const { jobId, job } = await submit(harness, facePhoto("noface/gradient.jpg"));

    const { outcome, attemptsMade } = await waitForJob(harness.queue, jobId);

    expect(attemptsMade).toBe(1);
    expect(outcome).toEqual({
      status: "no_face",
      message: "No face was indexed: no face found in the image",
      unindexed_faces: [],
    });
    expect(await keyGone(parts.redis, job.imageKey)).toBe(true);
  });

  // Throttling pauses the queue instead of spending attempts: see throttling.test.ts.
  it("retries a 503 with backoff until IndexFaces succeeds", async () => {
    const harness = startHarness();
    await injectFault(parts.rekognitionUrl, {
      operation: "IndexFaces",
      count: 2,
      code: "ServiceUnavailableException",
      status: 503,
    });
    const { jobId } = await submit(harness, facePhoto("same/biden_1.jpg"));

    const { outcome, attemptsMade } = await waitForJob(harness.queue, jobId);

    expect(outcome?.status).toBe("indexed");
    expect(attemptsMade).toBe(3);
  });

  it("retries a 500 InternalServerError until IndexFaces succeeds", async () => {
    const harness = startHarness();
    await injectFault(parts.rekognitionUrl, {
      operation: "IndexFaces",
      count: 1,
      code: "InternalServerError",
      status: 500,
    });
    const { jobId } = await submit(harness, facePhoto("same/A000371_1.jpg"));

    const { outcome, attemptsMade } = await waitForJob(harness.queue, jobId);

    expect(outcome?.status).toBe("indexed");
    expect(attemptsMade).toBe(2);
  });

  it("fails a non-image at once with InvalidImageFormatException", async () => {
    const harness = startHarness();
    const { jobId, job } = await submit(harness, Buffer.from("this is not a jpeg, just text"));

    const { outcome, attemptsMade } = await waitForJob(harness.queue, jobId);

    expect(attemptsMade).toBe(1);
    expect(outcome).toMatchObject({ status: "failed", code: "InvalidImageFormatException", retryable: false });
    expect(await keyGone(parts.redis, job.imageKey)).toBe(true);
  });

  it("fails at once with NoSuchBucket when the bucket does not exist", async () => {
    const harness = startHarness();
    const { jobId, job } = await submit(harness, facePhoto("same/obama_2.jpg"), { bucket: uniqueName("missing") });

    const { outcome, attemptsMade } = await waitForJob(harness.queue, jobId);

    expect(attemptsMade).toBe(1);
    expect(outcome).toMatchObject({ status: "failed", code: "NoSuchBucket", retryable: false });
    expect(outcome?.status === "failed" && outcome.message).toMatch(/bucket does not exist/i);
    expect(await keyGone(parts.redis, job.imageKey)).toBe(true);
  });

  it("answers IMAGE_EXPIRED when the parked image is gone", async () => {
    const harness = startHarness();
    const { jobId } = await submit(harness, null);

    const { outcome, attemptsMade } = await waitForJob(harness.queue, jobId);

    expect(attemptsMade).toBe(1);
    expect(outcome).toMatchObject({ status: "failed", code: "IMAGE_EXPIRED", retryable: false });
  });

  it("returns a retryable failure when 5xx errors outlast every attempt", async () => {
    const harness = startHarness();
    await injectFault(parts.rekognitionUrl, {
      operation: "IndexFaces",
      count: 5,
      code: "ServiceUnavailableException",
      status: 503,
    });
    const { jobId, job } = await submit(harness, facePhoto("same/obama_3.jpg"));

    const { outcome, attemptsMade } = await waitForJob(harness.queue, jobId);

    expect(attemptsMade).toBe(5);
    expect(outcome).toMatchObject({ status: "failed", code: "ServiceUnavailableException", retryable: true });
    expect(outcome?.status === "failed" && outcome.message).toMatch(/after 5 attempts/);
    expect(await keyGone(parts.redis, job.imageKey)).toBe(true);
  });
});
