/** POST /index_faces through a real Redis queue, with a BullMQ worker in the test returning chosen outcomes. */
import { afterEach, describe, expect, inject, it } from "vitest";
import { UnrecoverableError, type Job } from "bullmq";
import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import { DEFAULT_TENANT, imageRedisKey, type IndexedFaceData, type IndexFacesJob } from "@faceindex/contracts";
import { facePhoto } from "@faceindex/testing";
import { createHarness, obamaJpeg, postJson, validBody, type Harness } from "./support/harness.ts";

const redisUrl = inject("redisUrl");
let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function indexedData(job: Job<IndexFacesJob>): IndexedFaceData {
  const face = {
    face_id: "11111111-2222-3333-4444-555555555555",
    image_id: "66666666-7777-8888-9999-000000000000",
    external_image_id: job.data.externalImageId,
    confidence: 99.9,
    bounding_box: { width: 0.3, height: 0.4, left: 0.35, top: 0.2 },
  };
  return {
    ...face,
    collection_id: job.data.bucket,
    face_model_version: "7.0",
    s3: { bucket: job.data.bucket, key: job.data.objectKey, etag: '"abc"' },
    indexed_faces: [face],
    unindexed_faces: [],
  };
}

const post = (h: Harness, body: unknown, headers: Record<string, string> = {}) =>
  postJson(h.app, "/index_faces", body, { headers });

describe("POST /index_faces through the queue", () => {
  it("answers 200 with the worker's data, after parking exactly the decoded bytes", async () => {
    const h = (harness = await createHarness(redisUrl));
    const seen: { job: IndexFacesJob; parked: Buffer | null }[] = [];
    await h.startWorker(async (job) => {
      seen.push({ job: job.data, parked: await h.commands.getBuffer(job.data.imageKey) });
      return { status: "indexed", data: indexedData(job) };
    });

    const response = await post(h, validBody({ max_faces: 3, quality_filter: "HIGH", unknown_field: "ignored" }));

    expect(response.statusCode).toBe(200);
    const jobId = response.headers["x-job-id"] as string;
    expect(response.json()).toEqual({
      success: true,
      message: "Face indexed",
      data: expect.objectContaining({
        external_image_id: "customer-42",
        s3: { bucket: "kyc-faces", key: "customers/42/selfie.jpg", etag: '"abc"' },
      }),
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.job).toEqual({
      requestId: jobId,
      trace: { requestId: response.headers["x-request-id"] },
      requestDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
      tenant: DEFAULT_TENANT,
      collectionId: "test-collection",
      subject: "kyc-user-1",
      // The request's digest in the key: a reused Idempotency-Key never parks over another request's image.
      imageKey: imageRedisKey(`${jobId}:${seen[0]?.job.requestDigest}`, h.prefix),
      contentType: "image/jpeg",
      bucket: "kyc-faces",
      objectKey: "customers/42/selfie.jpg",
      externalImageId: "customer-42",
      maxFaces: 3,
      qualityFilter: "HIGH",
      // What the worker's S3 PUT is signed with, so it need not hash the bytes again.
      imageSha256: createHash("sha256").update(obamaJpeg).digest("hex"),
    });
    expect(seen[0]?.parked?.equals(obamaJpeg)).toBe(true);
  });

  it("accepts a PNG data URL and applies the defaults", async () => {
    const h = (harness = await createHarness(redisUrl));
    // Signature, IHDR and IEND: the smallest complete PNG structure (pixels are the worker's business).
    const png = Buffer.from(
      "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000049454e44ae426082",
      "hex",
    );
    let received: IndexFacesJob | undefined;
    let parked: Buffer | null = null;
    await h.startWorker(async (job) => {
      received = job.data;
      parked = await h.commands.getBuffer(job.data.imageKey);
      return { status: "indexed", data: indexedData(job) };
    });

    const response = await post(h, validBody({ image: `data:image/png;base64,${png.toString("base64")}` }));

    expect(response.statusCode).toBe(200);
    expect(received).toMatchObject({ contentType: "image/png", maxFaces: 1, qualityFilter: "AUTO" });
    expect(parked).toEqual(png);
  });

  it("answers 400 NO_FACE_INDEXED with the reasons when the worker finds no face", async () => {
    const h = (harness = await createHarness(redisUrl));
    const unindexed = [
      { reasons: ["LOW_CONFIDENCE"], confidence: 41.5, bounding_box: { width: 0.1, height: 0.1, left: 0, top: 0 } },
    ];
    await h.startWorker(async () => ({
      status: "no_face",
      message: "No face was indexed: 1 face filtered out (LOW_CONFIDENCE)",
      unindexed_faces: unindexed,
    }));

    const response = await post(h, { ...validBody(), image: facePhoto("noface/gradient.jpg").toString("base64") });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      msg: "No face was indexed: 1 face filtered out (LOW_CONFIDENCE)",
      code: "NO_FACE_INDEXED",
      unindexed_faces: unindexed,
    });
  });

  it("answers 400 with the worker's code when it returns a failed outcome", async () => {
    const h = (harness = await createHarness(redisUrl));
    await h.startWorker(async () => ({
      status: "failed",
      code: "NoSuchBucket",
      message: "Failed storing the image: The specified bucket does not exist",
      retryable: false,
    }));

    const response = await post(h, validBody());

    expect(response.statusCode).toBe(400);
    // The API's words for the code (jobs/failure-messages.ts), not the SDK's.
    expect(response.json()).toEqual({ msg: "The bucket does not exist", code: "NoSuchBucket" });
  });

  it("answers 400 PROCESSING_FAILED, without the internal reason, when the job throws for good", async () => {
    const h = (harness = await createHarness(redisUrl));
    await h.startWorker(async () => {
      throw new UnrecoverableError("secret internal detail: connection to 10.0.0.7 refused");
    });

    const response = await post(h, validBody());

    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body).toMatchObject({ code: "PROCESSING_FAILED", request_id: response.headers["x-request-id"] });
    expect(body.msg).toEqual(expect.any(String));
    expect(response.body).not.toContain("10.0.0.7");
  });

  it("answers 504 with the request id when no worker runs, and the job is still queued", async () => {
    const h = (harness = await createHarness(redisUrl, { syncTimeoutMs: 1_000 }));

    const response = await post(h, validBody());

    expect(response.statusCode).toBe(504);
    const requestId = response.headers["x-request-id"] as string;
    const jobId = response.headers["x-job-id"] as string;
    expect(response.json()).toEqual({ msg: expect.any(String), code: "TIMEOUT", request_id: requestId, job_id: jobId });
    expect(await h.queue.getJobState(jobId)).toBe("waiting");
    const job = await h.queue.getJob(jobId);
    expect((await h.commands.getBuffer(job!.data.imageKey))?.equals(obamaJpeg)).toBe(true);
  });

  it("still answers when completion events never arrive (polling fallback)", async () => {
    // An event feed that never fires: only the waiter's polling can see the job finish.
    const h = (harness = await createHarness(redisUrl, { events: new EventEmitter() as never }));
    await h.startWorker(async (job) => ({ status: "indexed", data: indexedData(job) }));

    const response = await post(h, validBody());

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ success: true, message: "Face indexed" });
  });

  it("answers a job that completed before anyone waited for it", async () => {
    const h = (harness = await createHarness(redisUrl));
    const worker = await h.startWorker(async (job) => ({ status: "indexed", data: indexedData(job) }));
    const done = new Promise<void>((resolve) => worker.once("completed", () => resolve()));
    const job = await h.queue.add(
      "index-faces",
      {
        requestId: "early-job-1",
        tenant: DEFAULT_TENANT,
        subject: "kyc-user-1",
        imageKey: imageRedisKey("early-job-1", h.prefix),
        contentType: "image/jpeg",
        bucket: "kyc-faces",
        objectKey: "a.jpg",
        externalImageId: "early",
        maxFaces: 1,
        qualityFilter: "AUTO",
      } satisfies IndexFacesJob,
      { jobId: "early-job-1" },
    );
    await done;

    const result = await h.waiter.wait(job.id as string, 10_000);

    expect(result).toMatchObject({ status: "completed", returnvalue: { status: "indexed" } });
  });

  it("echoes a sane caller X-Request-Id for tracing only: reusing it neither conflicts nor picks the job", async () => {
    const h = (harness = await createHarness(redisUrl));
    await h.startWorker(async (job) => ({ status: "indexed", data: indexedData(job) }));
    const requestId = "caller-req-0001";

    const first = await post(h, validBody(), { "x-request-id": requestId });
    const other = await post(h, validBody({ external_image_id: "customer-43" }), { "x-request-id": requestId });
    const weird = await post(h, validBody(), { "x-request-id": "has:colon and spaces" });

    expect(first.statusCode).toBe(200);
    expect(first.headers["x-request-id"]).toBe(requestId);
    expect(await h.queue.getJobState(first.headers["x-job-id"] as string)).toBe("completed");
    expect(other.statusCode).toBe(200);
    expect(other.headers["x-job-id"]).not.toBe(first.headers["x-job-id"]);
    expect(weird.statusCode).toBe(200);
    expect(weird.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });
});
