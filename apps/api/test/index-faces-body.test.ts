/** Body validation: each bad field answers 400 naming the field, and nothing is enqueued. */
import { afterAll, describe, expect, it } from "vitest";
import { parseIndexFacesBody } from "../src/input/index-faces-body.ts";
import { devToken, validBody } from "./support/harness.ts";
import { buildStubApp } from "./support/stub-app.ts";

const { app, enqueued } = buildStubApp();
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
  ["missing external_image_id", { external_image_id: undefined }, "INVALID_EXTERNAL_IMAGE_ID", /is required/],
  ["external_image_id with space", { external_image_id: "a b" }, "INVALID_EXTERNAL_IMAGE_ID", /external_image_id/],
  ["external_image_id too long", { external_image_id: "a".repeat(256) }, "INVALID_EXTERNAL_IMAGE_ID", /1-255/],
  ["max_faces zero", { max_faces: 0 }, "INVALID_MAX_FACES", /max_faces/],
  ["max_faces 101", { max_faces: 101 }, "INVALID_MAX_FACES", /max_faces/],
  ["max_faces fraction", { max_faces: 1.5 }, "INVALID_MAX_FACES", /max_faces/],
  ["max_faces as string", { max_faces: "2" }, "INVALID_MAX_FACES", /max_faces/],
  ["quality_filter unknown", { quality_filter: "BEST" }, "INVALID_QUALITY_FILTER", /quality_filter/],
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
        image_key: "k".repeat(1024),
        external_image_id: "Z".repeat(255),
        max_faces: 100,
        quality_filter: "NONE",
      }),
    );
    // The stub waiter times out, so a valid body ends as 504 after being enqueued.
    expect(response.statusCode).toBe(504);
    expect(enqueued.length).toBe(before + 1);
  });
});

describe("parseIndexFacesBody", () => {
  it("applies defaults and renames fields", () => {
    expect(parseIndexFacesBody(validBody())).toMatchObject({
      bucket: "kyc-faces",
      imageKey: "customers/42/selfie.jpg",
      externalImageId: "customer-42",
      maxFaces: 1,
      qualityFilter: "AUTO",
    });
  });

  it.each(cases)("refuses %s with %s", (_name, override, code) => {
    expect(() => parseIndexFacesBody(validBody(override))).toThrow(expect.objectContaining({ code }));
  });

  it("refuses bodies that are not objects", () => {
    for (const body of [null, [], "text", 3]) {
      expect(() => parseIndexFacesBody(body)).toThrow(expect.objectContaining({ code: "INVALID_BODY" }));
    }
  });
});
