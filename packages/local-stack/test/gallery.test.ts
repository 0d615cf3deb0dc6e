/**
 * The gallery end to end, as a user runs it: API, worker and local Rekognition (neural engine) as separate
 * processes started the way `pnpm start` starts them, the local S3 and a real Redis; requests over HTTP with
 * real face photos. The steps build on each other (enrol, flag, reject, search, erase, rebuild), in order.
 * The stack has its own QUEUE_PREFIX, so its queues and mapping never meet another test's in the shared Redis.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { Redis } from "ioredis";
import { LOCAL_S3_CREDENTIALS } from "@faceindex/local-s3";
import { facePhoto, localS3Client } from "@faceindex/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startThrowawayStack, type ThrowawayStack } from "../src/throwaway-stack.ts";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
let stack: ThrowawayStack;
let bucket: string;
let collectionId: string;
let prefix: string;
let token: string;
let redis: Redis;

beforeAll(async () => {
  stack = await startThrowawayStack({ name: "gallery", faceEngine: "neural", redisUrl: inject("redisUrl") });
  ({ bucket, collectionId, queuePrefix: prefix, token } = stack);
  redis = new Redis(stack.redisUrl);
}, 300_000);

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

async function call(
  path: string,
  body: Record<string, unknown>,
): Promise<{ status: number; body: Record<string, any> }> {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

function enrol(photo: string, externalImageId: string, extra: Record<string, unknown> = {}) {
  const image = facePhoto(photo).toString("base64");
  return call("/index_faces", {
    image,
    bucket,
    image_key: `selfies/${externalImageId}.jpg`,
    external_image_id: externalImageId,
    ...extra,
  });
}

function search(photo: string) {
  return call("/search_faces", { image: facePhoto(photo).toString("base64") });
}

/** Every mapping key of this stack (not the locks) with its hash, for comparing before and after. */
async function mapping(): Promise<Record<string, Record<string, string>>> {
  const keys = (await redis.keys(`${prefix}:gallery:*`)).filter((key) => !key.includes(":lock:")).sort();
  return Object.fromEntries(await Promise.all(keys.map(async (key) => [key, await redis.hgetall(key)] as const)));
}

const faceIds: Record<string, string> = {};

describe("the gallery end to end", () => {
  it("flags a second photo of the same person under another external id", async () => {
    const first = await enrol("same/obama_1.jpg", "kyc-obama-a", { dedupe: "flag" });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.data.duplicates).toEqual([]);
    faceIds.a = first.body.data.face_id;

    const second = await enrol("same/obama_2.jpg", "kyc-obama-b", { dedupe: "flag" });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    faceIds.b = second.body.data.face_id;
    expect(second.body.data.duplicates).toEqual([
      {
        face_id: faceIds.a,
        external_image_id: "kyc-obama-a",
        similarity: expect.any(Number),
        bucket,
        image_key: "selfies/kyc-obama-a.jpg",
      },
    ]);
    expect(second.body.data.duplicates[0].similarity).toBeGreaterThanOrEqual(90);
  });

  it("does not flag a different person", async () => {
    const response = await enrol("same/biden_1.jpg", "kyc-biden", { dedupe: "flag" });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.data.duplicates).toEqual([]);
    faceIds.biden = response.body.data.face_id;
  });

  it("rejects a third enrolment of the same person with 409 and indexes nothing", async () => {
    const response = await enrol("same/obama_3.jpg", "kyc-obama-c", { dedupe: "reject" });
    expect(response.status, JSON.stringify(response.body)).toBe(409);
    expect(response.body.code).toBe("DUPLICATE_FACE");
    expect(
      response.body.duplicates.map((match: { external_image_id: string }) => match.external_image_id).sort(),
    ).toEqual(["kyc-obama-a", "kyc-obama-b"]);
    expect(Object.keys(await mapping()).some((key) => key.endsWith(":kyc-obama-c"))).toBe(false);
  });

  it("finds both faces of the person with a new photo, and nobody else", async () => {
    const response = await search("same/obama_3.jpg");
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const matches = response.body.data.matches as {
      face_id: string;
      external_image_id: string;
      bucket: string;
      image_key: string;
    }[];
    expect(matches.map((match) => match.face_id).sort()).toEqual([faceIds.a, faceIds.b].sort());
    expect(matches.find((match) => match.face_id === faceIds.b)).toMatchObject({
      bucket,
      image_key: "selfies/kyc-obama-b.jpg",
    });
    expect(response.body.data.searched_face.confidence).toBeGreaterThan(50);
  });

  it("erases one external id (and its image): gone from search and from the mapping", async () => {
    const response = await call("/delete_faces_from_collection", {
      bucket,
      external_image_id: "kyc-obama-a",
      delete_image: true,
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toEqual({
      success: true,
      response: expect.objectContaining({
        deleted_face_ids: [faceIds.a],
        deleted_image_keys: ["selfies/kyc-obama-a.jpg"],
        faces_with_unknown_image: 0,
      }),
    });

    const after = await search("same/obama_3.jpg");
    expect(after.body.data.matches.map((match: { face_id: string }) => match.face_id)).toEqual([faceIds.b]);
    const map = await mapping();
    expect(Object.keys(map).some((key) => key.endsWith(":kyc-obama-a"))).toBe(false);
    expect(Object.values(map).some((hash) => faceIds.a! in hash)).toBe(false);
    const s3 = localS3Client(stack.s3Endpoint);
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "selfies/kyc-obama-a.jpg" })),
    ).rejects.toMatchObject({ name: "NotFound" });
    s3.destroy();
  });

  it("`pnpm gallery:rebuild` rebuilds the same mapping after it was lost", async () => {
    const before = await mapping();
    expect(Object.keys(before).length).toBe(3); // kyc-obama-b, kyc-biden and the faces hash
    await redis.del(...Object.keys(before));

    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "apps/worker/src/tools/rebuild-gallery-main.ts", bucket],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
          AWS_REGION: "us-east-1",
          S3_ENDPOINT: stack.s3Endpoint,
          REKOGNITION_ENDPOINT: stack.rekognitionUrl,
          REDIS_URL: stack.redisUrl,
          COLLECTION_ID: collectionId,
          QUEUE_PREFIX: prefix,
        },
      },
    );

    expect(JSON.parse(stdout.trim().split("\n").at(-1)!)).toMatchObject({
      faces: 2,
      external_ids: 2,
      faces_with_unknown_image: 0,
      skipped: 0,
    });
    expect(await mapping()).toEqual(before);
  });

  it("answers 400 for an external id with no face", async () => {
    const response = await call("/delete_faces_from_collection", { bucket, external_image_id: "kyc-never-enrolled" });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ code: "FACE_NOT_FOUND", msg: expect.stringMatching(/no face was found/i) });
  });
});
