/**
 * POST /delete_faces_from_collection and POST /search_faces: validation (stub app, nothing enqueued) and
 * the real queue path with BullMQ workers in the test returning chosen outcomes; plus the dedupe fields
 * and the duplicate outcome of POST /index_faces.
 */
import { afterEach, describe, expect, it } from "vitest";
import { inject } from "vitest";
import {
  SEARCH_IMAGE_MAX_BYTES,
  searchImageRedisKey,
  type FaceMatch,
  type IndexFacesJob,
  type IndexFacesOutcome,
  DEFAULT_TENANT,
} from "@faceindex/contracts";
import { facePhoto } from "@faceindex/testing";
import { createGalleryHarness, type GalleryHarness } from "./support/gallery-harness.ts";
import { createHarness, obamaJpeg, postJson, validBody, type Harness } from "./support/harness.ts";
import { buildStubApp } from "./support/stub-app.ts";

const redisUrl = inject("redisUrl");
let gallery: GalleryHarness | undefined;
let harness: Harness | undefined;

afterEach(async () => {
  await gallery?.close();
  await harness?.close();
  gallery = undefined;
  harness = undefined;
});

const match: FaceMatch = {
  face_id: "11111111-2222-3333-4444-555555555555",
  external_image_id: "customer-7",
  similarity: 97.5,
  bucket: "kyc-faces",
  image_key: "customers/7/selfie.jpg",
};

const post = (app: Pick<GalleryHarness["app"], "inject">, url: string, body: unknown) => postJson(app, url, body);

describe("gallery routes: validation", () => {
  it.each([
    [{ external_image_id: "c-1" }, "INVALID_BUCKET", /bucket is required/],
    [{ bucket: "Bad_Bucket", external_image_id: "c-1" }, "INVALID_BUCKET", /bucket must be lowercase/],
    [
      { bucket: "kyc-faces", external_image_id: "has spaces" },
      "INVALID_EXTERNAL_IMAGE_ID",
      /external_image_id must be/,
    ],
    [{ bucket: "kyc-faces", external_image_id: "c-1", delete_image: "yes" }, "INVALID_DELETE_IMAGE", /delete_image/],
  ])("delete_faces_from_collection refuses %j with %s", async (body, code, msg) => {
    const { app } = buildStubApp();
    const response = await post(app, "/delete_faces_from_collection", body);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ code, msg: expect.stringMatching(msg) });
  });

  it.each([
    [{}, "INVALID_IMAGE", /image is required/],
    [{ image: "not base64!" }, "INVALID_IMAGE", /base64/],
    [{ image: obamaJpeg.toString("base64"), threshold: 101 }, "INVALID_THRESHOLD", /threshold/],
    [{ image: obamaJpeg.toString("base64"), threshold: "high" }, "INVALID_THRESHOLD", /threshold/],
    [{ image: obamaJpeg.toString("base64"), max_matches: 0 }, "INVALID_MAX_MATCHES", /max_matches/],
    [{ image: obamaJpeg.toString("base64"), max_matches: 2.5 }, "INVALID_MAX_MATCHES", /max_matches/],
  ])("search_faces refuses %#: %s", async (body, code, msg) => {
    const { app } = buildStubApp();
    const response = await post(app, "/search_faces", body);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ code, msg: expect.stringMatching(msg) });
  });

  it("search_faces refuses a probe over SearchFacesByImage's 5 MB with 413", async () => {
    const { app } = buildStubApp();
    const big = Buffer.concat([obamaJpeg, Buffer.alloc(SEARCH_IMAGE_MAX_BYTES)]);
    const response = await post(app, "/search_faces", { image: big.toString("base64") });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: "IMAGE_TOO_LARGE" });
  });

  it("both routes need a valid token", async () => {
    const { app } = buildStubApp();
    for (const url of ["/delete_faces_from_collection", "/search_faces"]) {
      const response = await app.inject({ method: "POST", url, payload: {} });
      expect(response.statusCode).toBe(401);
    }
  });

  it.each([
    [{ dedupe: "maybe" }, "INVALID_DEDUPE"],
    [{ dedupe: "flag", dedupe_threshold: 150 }, "INVALID_DEDUPE_THRESHOLD"],
  ])("index_faces refuses %j with %s", async (override, code) => {
    const { app, enqueued } = buildStubApp();
    const response = await post(app, "/index_faces", validBody(override));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code,
      msg: expect.stringContaining(code.slice("INVALID_".length).toLowerCase()),
    });
    expect(enqueued).toEqual([]);
  });
});

describe("POST /delete_faces_from_collection through the queue", () => {
  it("answers 200 {success, response} with the worker's data, from the job it enqueued", async () => {
    const h = (gallery = await createGalleryHarness(redisUrl));
    const seen: unknown[] = [];
    await h.startDeleteWorker(async (job) => {
      seen.push(job.data);
      const data = {
        deleted_face_ids: ["f1", "f2"],
        unsuccessful_face_deletions: [],
        external_image_id: job.data.externalImageId,
        bucket: job.data.bucket,
        collection_id: "faces",
        deleted_image_keys: ["a.jpg"],
        faces_with_unknown_image: 0,
      };
      return { status: "deleted", data };
    });

    const response = await post(h.app, "/delete_faces_from_collection", {
      bucket: "kyc-faces",
      external_image_id: "customer-42",
      delete_image: true,
    });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      success: true,
      response: {
        deleted_face_ids: ["f1", "f2"],
        unsuccessful_face_deletions: [],
        external_image_id: "customer-42",
        bucket: "kyc-faces",
        collection_id: "faces",
        deleted_image_keys: ["a.jpg"],
        faces_with_unknown_image: 0,
      },
    });
    expect(seen).toEqual([
      {
        requestId: response.headers["x-job-id"],
        tenant: DEFAULT_TENANT,
        collectionId: "test-collection",
        subject: "kyc-user-1",
        bucket: "kyc-faces",
        externalImageId: "customer-42",
        deleteImage: true,
        requestDigest: expect.any(String),
      },
    ]);
  });

  it("answers 400 FACE_NOT_FOUND for an unknown external id, and 400 with the code of a failure", async () => {
    const h = (gallery = await createGalleryHarness(redisUrl));
    await h.startDeleteWorker(async (job) =>
      job.data.externalImageId === "nobody"
        ? { status: "not_found", message: "No face was found for external_image_id nobody in bucket kyc-faces" }
        : { status: "failed", code: "AccessDeniedException", message: "Access denied", retryable: false },
    );

    const unknown = await post(h.app, "/delete_faces_from_collection", {
      bucket: "kyc-faces",
      external_image_id: "nobody",
    });
    const denied = await post(h.app, "/delete_faces_from_collection", {
      bucket: "kyc-faces",
      external_image_id: "someone",
    });

    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toEqual({ code: "FACE_NOT_FOUND", msg: expect.stringMatching(/no face was found/i) });
    expect(denied.statusCode).toBe(400);
    expect(denied.json()).toEqual({ code: "AccessDeniedException", msg: "Access denied" });
  });

  it("answers 504 when no worker runs", async () => {
    const h = (gallery = await createGalleryHarness(redisUrl, { syncTimeoutMs: 500 }));
    const response = await post(h.app, "/delete_faces_from_collection", {
      bucket: "kyc-faces",
      external_image_id: "c-1",
    });
    expect(response.statusCode).toBe(504);
    expect(response.json()).toMatchObject({ code: "TIMEOUT", request_id: response.headers["x-request-id"] });
  });
});

describe("POST /search_faces through the queue", () => {
  it("parks exactly the probe's bytes, applies the defaults and answers 200 {success, data}", async () => {
    const h = (gallery = await createGalleryHarness(redisUrl));
    const seen: { data: unknown; parked: Buffer | null }[] = [];
    const searchedFace = { bounding_box: { width: 0.3, height: 0.4, left: 0.3, top: 0.2 }, confidence: 99.8 };
    await h.startSearchWorker(async (job) => {
      seen.push({ data: job.data, parked: await h.commands.getBuffer(job.data.imageKey) });
      return { status: "searched", data: { matches: [match], searched_face: searchedFace } };
    });

    const response = await post(h.app, "/search_faces", {
      image: `data:image/jpeg;base64,${obamaJpeg.toString("base64")}`,
    });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ success: true, data: { matches: [match], searched_face: searchedFace } });
    const jobId = response.headers["x-job-id"] as string;
    expect(seen[0]?.data).toEqual({
      requestId: jobId,
      tenant: DEFAULT_TENANT,
      collectionId: "test-collection",
      subject: "kyc-user-1",
      imageKey: searchImageRedisKey(
        `${jobId}:${(seen[0]?.data as { requestDigest?: string }).requestDigest}`,
        h.prefix,
      ),
      contentType: "image/jpeg",
      threshold: 80,
      maxMatches: 10,
      requestDigest: expect.any(String),
    });
    expect(seen[0]?.parked?.equals(obamaJpeg)).toBe(true);
  });

  it("passes threshold and max_matches, and answers 400 NO_FACE_FOUND when the probe has no face", async () => {
    const h = (gallery = await createGalleryHarness(redisUrl));
    const seen: unknown[] = [];
    await h.startSearchWorker(async (job) => {
      seen.push(job.data);
      return { status: "no_face", message: "No face was found in the image, so there is nothing to search with" };
    });

    const response = await post(h.app, "/search_faces", {
      image: facePhoto("noface/gradient.jpg").toString("base64"),
      threshold: 95.5,
      max_matches: 3,
    });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ code: "NO_FACE_FOUND", msg: expect.stringMatching(/no face/i) });
    expect(seen[0]).toMatchObject({ threshold: 95.5, maxMatches: 3 });
  });
});

describe("POST /index_faces with dedupe", () => {
  it("puts dedupe in the job and answers 409 DUPLICATE_FACE with the duplicates on reject", async () => {
    const h = (harness = await createHarness(redisUrl));
    const seen: IndexFacesJob[] = [];
    await h.startWorker(async (job): Promise<IndexFacesOutcome> => {
      seen.push(job.data);
      return {
        status: "duplicate",
        message: "The face is already enrolled under another external id: customer-7",
        duplicates: [match],
      };
    });

    const response = await post(h.app, "/index_faces", validBody({ dedupe: "reject" }));

    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({
      code: "DUPLICATE_FACE",
      msg: expect.stringContaining("customer-7"),
      duplicates: [match],
    });
    expect(seen[0]).toMatchObject({ dedupe: "reject", dedupeThreshold: 90 });
  });

  it("passes data.duplicates through on flag, and leaves dedupe out of the job when off", async () => {
    const h = (harness = await createHarness(redisUrl));
    const seen: IndexFacesJob[] = [];
    await h.startWorker(async (job): Promise<IndexFacesOutcome> => {
      seen.push(job.data);
      const face = {
        face_id: "f9",
        image_id: "i9",
        external_image_id: job.data.externalImageId,
        confidence: 99,
        bounding_box: { width: 0.3, height: 0.3, left: 0.3, top: 0.3 },
      };
      const duplicates = job.data.dedupe === "flag" ? [match] : undefined;
      return {
        status: "indexed",
        data: {
          ...face,
          collection_id: "faces",
          face_model_version: "1",
          s3: { bucket: job.data.bucket, key: job.data.objectKey, etag: "e" },
          indexed_faces: [face],
          unindexed_faces: [],
          ...(duplicates ? { duplicates } : {}),
        },
      };
    });

    const flagged = await post(
      h.app,
      "/index_faces",
      validBody({ dedupe: "flag", dedupe_threshold: 85, external_image_id: "customer-43" }),
    );
    const plain = await post(h.app, "/index_faces", validBody({ dedupe: "off", external_image_id: "customer-44" }));

    expect(flagged.statusCode).toBe(200);
    expect(flagged.json().data.duplicates).toEqual([match]);
    expect(seen[0]).toMatchObject({ dedupe: "flag", dedupeThreshold: 85 });
    expect(plain.statusCode).toBe(200);
    expect(plain.json().data).not.toHaveProperty("duplicates");
    expect(seen[1]).not.toHaveProperty("dedupe");
  });
});
