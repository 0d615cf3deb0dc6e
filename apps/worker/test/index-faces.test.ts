/**
 * Fast unit test of the job processor with plain-object fakes: which errors are thrown (retried) and
 * which are returned, and when the parked image is deleted. The same paths run for real in
 * worker.test.ts against Redis, local S3 and the local Rekognition server.
 */
import { ThrottlingException, InvalidImageFormatException } from "@aws-sdk/client-rekognition";
import { describe, expect, it } from "vitest";
import { DEFAULT_TENANT, type IndexFacesJob } from "@faceindex/contracts";
import type { IndexFacesResult } from "../src/adapters/rekognition/face-index.ts";
import { createIndexFacesProcessor } from "../src/jobs/index-faces.ts";
import type { ProcessedJob, RunHooks } from "../src/runtime/job-runner.ts";
import { fakeIndexFacesDeps } from "./support/index-faces-fakes.ts";

const payload: IndexFacesJob = {
  requestId: "req-1",
  tenant: DEFAULT_TENANT,
  subject: "user-1",
  imageKey: "img:req-1",
  contentType: "image/jpeg",
  bucket: "kyc-bucket",
  objectKey: "faces/req-1.jpg",
  externalImageId: "user-1",
  maxFaces: 1,
  qualityFilter: "AUTO",
};

const oneFace: IndexFacesResult = {
  faceModelVersion: "7.0",
  indexed: [
    {
      face_id: "f1",
      image_id: "i1",
      external_image_id: "user-1",
      confidence: 99,
      bounding_box: { width: 0.5, height: 0.5, left: 0.2, top: 0.2 },
    },
  ],
  unindexed: [],
};

function setup(indexFaces: () => Promise<IndexFacesResult>, parked: Buffer | null = Buffer.from("jpeg bytes")) {
  const store = new Map<string, Buffer>(parked ? [[payload.imageKey, parked]] : []);
  const uploads: { bucket: string; key: string; bytes: Buffer; contentType: string }[] = [];
  const indexFace = createIndexFacesProcessor(
    fakeIndexFacesDeps({
      imageStore: {
        putImage: async (bucket, key, bytes, contentType) => {
          uploads.push({ bucket, key, bytes, contentType });
          return { etag: "etag-1" };
        },
        headImage: async () => null,
        conditionalWrites: true,
      },
      faceIndex: { indexFaces },
      parkedImages: {
        read: async (key) => store.get(key) ?? null,
        remove: async (key) => void store.delete(key),
      },
      // No dedupe, no quality gate (test/quality-gate.test.ts has it) and no other job for the person: the
      // fakes' defaults.
    }),
  );
  return { indexFace, store, uploads };
}

/** What the worker lends a run when no gate (throttle, busy lock) applies: every error meets the retry policy. */
const noGate: RunHooks = { putBack: async () => undefined };

const job = (attemptsMade: number, data: unknown = payload): ProcessedJob =>
  ({ id: "req-1", data, attemptsMade, opts: { attempts: 5 } }) as ProcessedJob;

describe("indexFace", () => {
  it("uploads the parked bytes, indexes them, and leaves the parked key to the clean-up after the outcome is stored", async () => {
    const { indexFace, store, uploads } = setup(async () => oneFace);
    const outcome = await indexFace(job(0), noGate);
    expect(outcome).toMatchObject({
      status: "indexed",
      data: { face_id: "f1", s3: { bucket: "kyc-bucket", key: "faces/req-1.jpg", etag: "etag-1" } },
    });
    expect(uploads).toEqual([
      { bucket: "kyc-bucket", key: "faces/req-1.jpg", bytes: Buffer.from("jpeg bytes"), contentType: "image/jpeg" },
    ]);
    // A crash before BullMQ stores the outcome re-runs the job: it still needs the bytes.
    expect(store.has(payload.imageKey)).toBe(true);
    await indexFace.cleanup!(job(0));
    expect(store.has(payload.imageKey)).toBe(false);
  });

  it("throws a transient error before the last attempt and keeps the parked bytes for the retry", async () => {
    const { indexFace, store } = setup(async () => {
      throw new ThrottlingException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } });
    });
    await expect(indexFace(job(3), noGate)).rejects.toMatchObject({ name: "ThrottlingException" });
    expect(store.has(payload.imageKey)).toBe(true);
  });

  it("returns a retryable failure on the last attempt, and the clean-up deletes the parked key", async () => {
    const { indexFace, store } = setup(async () => {
      throw new ThrottlingException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } });
    });
    const outcome = await indexFace(job(4), noGate);
    expect(outcome).toMatchObject({ status: "failed", code: "ThrottlingException", retryable: true });
    expect(outcome.status === "failed" && outcome.message).toMatch(/after 5 attempts/);
    expect(store.has(payload.imageKey)).toBe(true);
    await indexFace.cleanup!(job(4));
    expect(store.has(payload.imageKey)).toBe(false);
  });

  it("lets the worker's gates put the job back on the last attempt before it gives up", async () => {
    const { indexFace, store } = setup(async () => {
      throw new ThrottlingException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } });
    });
    const putBack = new Error("put back");
    const asked: unknown[] = [];
    const hooks = { putBack: async (error: unknown) => (asked.push(error), putBack) };
    await expect(indexFace(job(4), hooks)).rejects.toBe(putBack);
    expect(asked).toEqual([expect.objectContaining({ name: "ThrottlingException" })]);
    expect(store.has(payload.imageKey)).toBe(true);
  });

  it("returns a permanent failure at once", async () => {
    const { indexFace, store } = setup(async () => {
      throw new InvalidImageFormatException({
        message: "Request has invalid image format",
        $metadata: { httpStatusCode: 400 },
      });
    });
    const outcome = await indexFace(job(0), noGate);
    expect(outcome).toMatchObject({ status: "failed", code: "InvalidImageFormatException", retryable: false });
    await indexFace.cleanup!(job(0));
    expect(store.has(payload.imageKey)).toBe(false);
  });

  it("answers IMAGE_EXPIRED when the parked bytes are gone, without touching S3", async () => {
    const { indexFace, uploads } = setup(async () => oneFace, null);
    const outcome = await indexFace(job(0), noGate);
    expect(outcome).toMatchObject({ status: "failed", code: "IMAGE_EXPIRED", retryable: false });
    expect(outcome.status === "failed" && outcome.message).toMatch(/expired.*send the request again/);
    expect(uploads).toHaveLength(0);
  });

  it("rejects an invalid payload without retrying", async () => {
    const { indexFace, store } = setup(async () => oneFace);
    const outcome = await indexFace(job(0, { ...payload, maxFaces: 0 }), noGate);
    expect(outcome).toMatchObject({ status: "failed", code: "INVALID_JOB", retryable: false });
    expect(outcome.status === "failed" && outcome.message).toContain("maxFaces");
    // The raw data still names the parked key: freed even though the payload is invalid.
    await indexFace.cleanup!(job(0, { ...payload, maxFaces: 0 }));
    expect(store.has(payload.imageKey)).toBe(false);
  });
});
