/**
 * The whole pipeline as a user runs it: API, worker and local Rekognition as separate processes, started the
 * way `pnpm start` starts them, the local S3 and a real Redis; requests over HTTP with real face photos.
 */
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { signDevToken } from "@faceindex/dev-token";
import { facePhoto, localS3Client, pendingFaults, postFault } from "@faceindex/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startThrowawayStack, type ThrowawayStack } from "../src/throwaway-stack.ts";

let stack: ThrowawayStack;
let bucket: string;
let token: string;

beforeAll(async () => {
  stack = await startThrowawayStack({ name: "e2e", faceEngine: "neural", redisUrl: inject("redisUrl") });
  ({ bucket, token } = stack);
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

function indexFaces(body: Record<string, unknown>, bearer = token): Promise<Response> {
  return fetch(`${stack.apiUrl}/index_faces`, {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** The API's JSON answer; its shape is what each test asserts. */
async function readJson(response: Response): Promise<Record<string, any>> {
  return (await response.json()) as Record<string, any>;
}

function selfie(name: string, externalImageId: string, imageKey = `selfies/${externalImageId}.jpg`) {
  return { image: facePhoto(name).toString("base64"), bucket, image_key: imageKey, external_image_id: externalImageId };
}

describe("POST /index_faces end to end", () => {
  it("indexes a real face photo, stores it in S3 and answers with the face id", async () => {
    const response = await indexFaces(selfie("same/obama_1.jpg", "user-obama"));
    const body = await readJson(response);
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(response.headers.get("x-request-id")).toBeTruthy();
    expect(body.success).toBe(true);
    expect(body.data.face_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.data.external_image_id).toBe("user-obama");
    expect(body.data.s3).toMatchObject({ bucket, key: "selfies/user-obama.jpg" });

    const s3 = localS3Client(stack.s3Endpoint);
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "selfies/user-obama.jpg" }));
    expect(Buffer.from(await object.Body!.transformToByteArray()).equals(facePhoto("same/obama_1.jpg"))).toBe(true);
  });

  it("accepts the image as a data URL", async () => {
    const request = selfie("people/B001232.jpg", "user-data-url");
    const response = await indexFaces({ ...request, image: `data:image/jpeg;base64,${request.image}` });
    expect(response.status).toBe(200);
  });

  it("answers 400 saying no face was found for a photo without a face", async () => {
    const response = await indexFaces(selfie("noface/rocket_crop.jpg", "user-noface"));
    const body = await readJson(response);
    expect(response.status).toBe(400);
    expect(body.msg).toMatch(/face/i);
  });

  it("answers 401 for a bad token", async () => {
    const forged = await signDevToken("another-secret-0123456789abcdef0123", { subject: "mallory", expiresIn: "10m" });
    const response = await indexFaces(selfie("same/obama_2.jpg", "user-forged"), forged);
    expect(response.status).toBe(401);
    expect(await response.json()).toHaveProperty("message");
  });

  it.each([
    ["bucket", { bucket: "Not_A_Bucket" }],
    ["image_key", { image_key: "" }],
    ["external_image_id", { external_image_id: "has spaces" }],
    ["image", { image: "not base64 at all!" }],
  ])("answers 400 naming %s when it is malformed", async (field, override) => {
    const response = await indexFaces({ ...selfie("same/obama_2.jpg", "user-bad"), ...override });
    const body = await readJson(response);
    expect(response.status).toBe(400);
    expect(body.msg).toContain(field);
  });

  it("retries Rekognition throttling and 500s to success", async () => {
    for (const fault of [
      { operation: "IndexFaces", count: 1, code: "ThrottlingException", status: 400 },
      { operation: "IndexFaces", count: 1, code: "InternalServerError", status: 500 },
    ]) {
      const injected = await postFault(stack.rekognitionUrl, fault);
      expect(injected.ok).toBe(true);
    }
    const response = await indexFaces(selfie("same/biden_1.jpg", "user-biden"));
    expect(response.status).toBe(200);
    const faults = await pendingFaults(stack.rekognitionUrl);
    expect(JSON.stringify(faults)).not.toContain("ThrottlingException"); // both faults were consumed
  });

  it("answers 400 at once, without retries, when the bucket does not exist", async () => {
    const response = await indexFaces({
      ...selfie("same/biden_2.jpg", "user-nobucket"),
      bucket: "no-such-bucket-here",
    });
    const body = await readJson(response);
    expect(response.status).toBe(400);
    expect(body.code).toBe("NoSuchBucket");
  });
});
