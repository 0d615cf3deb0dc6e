/** Body validation: each bad field answers 400 naming the field, and nothing is enqueued. */
import { afterAll, describe, expect, it } from "vitest";
import { indexFacesRequest, type IndexFacesBody } from "../src/input/index-faces-body.ts";
import { devToken, validBody } from "./support/harness.ts";
import { singleTenantAccess, TEST_BUCKETS } from "./support/access.ts";
import { buildStubApp } from "./support/stub-app.ts";

// "a.b" is the shortest bucket name the schema accepts: allowed here, so the boundary reaches the queue.
const { app, enqueued } = buildStubApp({ access: singleTenantAccess("stub-collection", [...TEST_BUCKETS, "a.b"]) });
afterAll(() => app.close());

async function post(body: unknown) {
  return app.inject({
    method: "POST",
    url: "/index_faces",
    headers: { authorization: `Bearer ${await devToken()}`, "content-type": "application/json" },
    payload: JSON.stringify(body),
  });
}

const cases: [string, Record<string, unknown>, string, RegExp][] = [
  ["missing image", { image: undefined }, "INVALID_IMAGE", /image is required/],
  ["image not a string", { image: 42 }, "INVALID_IMAGE", /image must be string/],
  ["empty image", { image: "" }, "INVALID_IMAGE", /image/],
  ["missing bucket", { bucket: undefined }, "INVALID_BUCKET", /bucket is required/],
  ["bucket too short", { bucket: "ab" }, "INVALID_BUCKET", /bucket must be 3-63/],
  ["bucket too long", { bucket: "a".repeat(64) }, "INVALID_BUCKET", /bucket must be 3-63/],
  ["bucket uppercase", { bucket: "KYC-faces" }, "INVALID_BUCKET", /bucket must be lowercase/],
  ["bucket ends with hyphen", { bucket: "kyc-" }, "INVALID_BUCKET", /bucket must be lowercase/],
  ["bucket with ..", { bucket: "kyc..faces" }, "INVALID_BUCKET", /adjacent dots/],
  ["bucket as IP", { bucket: "192.168.1.10" }, "INVALID_BUCKET", /IP address/],
  ["bucket with underscore", { bucket: "kyc_faces" }, "INVALID_BUCKET", /bucket/],
  ["missing image_key", { image_key: undefined }, "INVALID_IMAGE_KEY", /image_key is required/],
  ["empty image_key", { image_key: "" }, "INVALID_IMAGE_KEY", /image_key must not be empty/],
  ["image_key over 1024 bytes", { image_key: "é".repeat(513) }, "INVALID_IMAGE_KEY", /1024 bytes/],
  ["image_key with control char", { image_key: "a\nb.jpg" }, "INVALID_IMAGE_KEY", /control characters/],
  // Keys a filesystem-backed S3 server cannot hold (issue 10): traversal, collapsing paths, over-long names.
  ["image_key with a .. segment", { image_key: "../../tmp/x/pwn" }, "INVALID_IMAGE_KEY", /'\.\.' segment/],
  ["image_key into another bucket", { image_key: "../other-bucket/x" }, "INVALID_IMAGE_KEY", /'\.\.' segment/],
  ["image_key with a . segment", { image_key: "a/./b.jpg" }, "INVALID_IMAGE_KEY", /'\.' segment/],
  ["image_key ending in ..", { image_key: "a/.." }, "INVALID_IMAGE_KEY", /'\.\.' segment/],
  ["image_key with a leading /", { image_key: "/etc/passwd" }, "INVALID_IMAGE_KEY", /must not start with '\/'/],
  ["image_key with //", { image_key: "a//b.jpg" }, "INVALID_IMAGE_KEY", /empty segment/],
  ["image_key with a trailing /", { image_key: "selfies/" }, "INVALID_IMAGE_KEY", /empty segment/],
  ["image_key segment of 256 bytes", { image_key: `selfies/${"n".repeat(256)}` }, "INVALID_IMAGE_KEY", /255 bytes/],
  ["image_key segment of 258 bytes", { image_key: `selfies/${"n".repeat(250)}.jpg.jpg` }, "INVALID_IMAGE_KEY", /255/],
  ["image_key multibyte segment", { image_key: `a/${"é".repeat(128)}` }, "INVALID_IMAGE_KEY", /255 bytes/],
  ["missing external_image_id", { external_image_id: undefined }, "INVALID_EXTERNAL_IMAGE_ID", /is required/],
  ["external_image_id with space", { external_image_id: "a b" }, "INVALID_EXTERNAL_IMAGE_ID", /external_image_id/],
  ["external_image_id too long", { external_image_id: "a".repeat(256) }, "INVALID_EXTERNAL_IMAGE_ID", /1-255/],
  ["max_faces zero", { max_faces: 0 }, "INVALID_MAX_FACES", /max_faces/],
  ["max_faces 101", { max_faces: 101 }, "INVALID_MAX_FACES", /max_faces/],
  ["max_faces fraction", { max_faces: 1.5 }, "INVALID_MAX_FACES", /max_faces/],
  ["max_faces as string", { max_faces: "2" }, "INVALID_MAX_FACES", /max_faces/],
  ["quality_filter unknown", { quality_filter: "BEST" }, "INVALID_QUALITY_FILTER", /quality_filter/],
  ["quality_gate unknown", { quality_gate: "strict" }, "INVALID_QUALITY_GATE", /quality_gate/],
];

describe("POST /index_faces body validation", () => {
  it.each(cases)("%s -> 400 %s", async (_name, override, code, msg) => {
    const response = await post(validBody(override));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ code, msg: expect.stringMatching(msg) });
    expect(enqueued).toEqual([]);
  });

  it("accepts the boundary values", async () => {
    const before = enqueued.length;
    const response = await post(
      validBody({
        bucket: "a.b",
        // 1024 bytes, the most S3 holds, in segments of at most 255 bytes (the most a file name holds).
        image_key: ["k".repeat(255), "k".repeat(255), "k".repeat(255), "k".repeat(254), "k"].join("/"),
        external_image_id: "Z".repeat(255),
        max_faces: 100,
        quality_filter: "NONE",
      }),
    );
    expect((await post(validBody({ image_key: `a/${"é".repeat(127)}.` }))).statusCode).toBe(504);
    // Dots inside a segment, and segments made only of dots but not . or .., are ordinary names.
    expect((await post(validBody({ image_key: ".hidden/.../a..b/selfie.jpg" }))).statusCode).toBe(504);
    // The stub waiter times out, so a valid body ends as 504 after being enqueued.
    expect(response.statusCode).toBe(504);
    expect(enqueued.length).toBe(before + 3);
  });
});

describe("POST /index_faces body defaults and shape", () => {
  it("applies the schema's defaults and renames fields for the job", async () => {
    const before = enqueued.length;
    expect((await post(validBody())).statusCode).toBe(504);
    expect(enqueued.length).toBe(before + 1);
    const job = enqueued.at(-1) as Record<string, unknown>;
    expect(job).toMatchObject({
      bucket: "kyc-faces",
      objectKey: "customers/42/selfie.jpg",
      externalImageId: "customer-42",
      maxFaces: 1,
      qualityFilter: "AUTO",
    });
    // No duplicate check asked for: the payload stays the seed's.
    expect(job).not.toHaveProperty("dedupe");
    expect(job).not.toHaveProperty("dedupeThreshold");
    // No quality gate asked for and none by default: neither.
    expect(job).not.toHaveProperty("qualityGate");
  });

  it("carries quality_gate enforce to the job, and the deployment's default when the body does not choose", async () => {
    const enforced = buildStubApp({ qualityGate: "enforce" });
    try {
      const send = async (body: Record<string, unknown>, target = app) =>
        target.inject({
          method: "POST",
          url: "/index_faces",
          headers: { authorization: `Bearer ${await devToken()}`, "content-type": "application/json" },
          payload: JSON.stringify(body),
        });
      expect((await send(validBody({ quality_gate: "enforce", external_image_id: "gate-on" }))).statusCode).toBe(504);
      expect(enqueued.at(-1)).toMatchObject({ externalImageId: "gate-on", qualityGate: "enforce" });
      expect((await send(validBody({ external_image_id: "gate-default" }), enforced.app)).statusCode).toBe(504);
      expect(enforced.enqueued.at(-1)).toMatchObject({ externalImageId: "gate-default", qualityGate: "enforce" });
      expect(
        (await send(validBody({ quality_gate: "off", external_image_id: "gate-off" }), enforced.app)).statusCode,
      ).toBe(504);
      expect(enforced.enqueued.at(-1)).toMatchObject({ externalImageId: "gate-off" });
      expect(enforced.enqueued.at(-1)).not.toHaveProperty("qualityGate");
    } finally {
      await enforced.app.close();
    }
  });

  it("refuses bodies that are not objects", async () => {
    for (const body of [null, [], "text", 3]) {
      const response = await post(body);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: "INVALID_BODY" });
    }
    expect(enqueued.filter((job) => job === null || typeof job !== "object")).toEqual([]);
  });
});

/** The cases the schema lets through, which only indexFacesRequest's own rules refuse. */
const beyondSchema = cases.filter(([, override]) =>
  Object.entries(override).every(
    ([field, value]) =>
      typeof value === "string" && field !== "quality_filter" && field !== "quality_gate" && field !== "max_faces",
  ),
);

describe("indexFacesRequest", () => {
  const schemaDefaults = { max_faces: 1, quality_filter: "AUTO", dedupe_threshold: 90 };

  it.each(beyondSchema)("refuses %s with %s", (_name, override, code, msg) => {
    const body = { ...schemaDefaults, ...validBody(override) } as IndexFacesBody;
    expect(() => indexFacesRequest(body)).toThrow(
      expect.objectContaining({ code, message: expect.stringMatching(msg) }),
    );
  });
});
