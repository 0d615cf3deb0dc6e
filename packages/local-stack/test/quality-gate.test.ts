/**
 * The KYC quality gate end to end: API, worker and the local Rekognition server (neural engine) as the
 * processes `pnpm start` runs, the worker calling DetectFaces and IndexFaces over HTTP with the official
 * SDK, on real photos and on damaged copies made here with sharp. The stack's default is QUALITY_GATE=enforce,
 * so a body without `quality_gate` is gated and `quality_gate: "off"` opts out.
 */
import sharp from "sharp";
import { facePhoto } from "@faceindex/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { listCollectionFaces } from "../src/collection-faces.ts";
import { startThrowawayStack, type ThrowawayStack } from "../src/throwaway-stack.ts";

let stack: ThrowawayStack;
let blurred: Buffer;
let tilted: Buffer;

beforeAll(async () => {
  stack = await startThrowawayStack({
    name: "quality",
    faceEngine: "neural",
    redisUrl: inject("redisUrl"),
    extraEnv: { QUALITY_GATE: "enforce" },
  });
  // A 1.5 px gaussian blur: sharpness ~34 on the local engine, under the gate's 50 but above AUTO's 20, so
  // IndexFaces alone would index it (the opt-out below shows it does).
  blurred = await sharp(facePhoto("same/A000371_1.jpg")).blur(1.5).jpeg({ quality: 90 }).toBuffer();
  // The head tilted 50 degrees: roll ~42 here, past the gate's 30; alignment would let IndexFaces index it.
  tilted = await sharp(facePhoto("people/B001232.jpg")).rotate(50, { background: "#808080" }).jpeg().toBuffer();
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

async function indexFaces(image: Buffer, externalImageId: string, extra: Record<string, unknown> = {}) {
  const response = await fetch(`${stack.apiUrl}/index_faces`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
    body: JSON.stringify({
      image: image.toString("base64"),
      bucket: stack.bucket,
      image_key: `selfies/${externalImageId}.jpg`,
      external_image_id: externalImageId,
      ...extra,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function facesOf(externalImageId: string): Promise<string[]> {
  const faces = await listCollectionFaces(stack.rekognitionUrl, stack.collectionId);
  return faces.filter((face) => face.externalImageId === externalImageId).map((face) => face.faceId);
}

async function auditOf(externalImageId: string): Promise<{ action: string; outcome: { status: string } }[]> {
  const response = await fetch(`${stack.apiUrl}/audit?external_image_id=${externalImageId}`, {
    headers: { authorization: `Bearer ${stack.token}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: { entries: { action: string; outcome: { status: string } }[] } }).data
    .entries;
}

describe("POST /index_faces with the quality gate", () => {
  it("indexes a good frontal selfie", async () => {
    const answer = await indexFaces(facePhoto("same/obama_1.jpg"), "gate-good");
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(await facesOf("gate-good")).toEqual([answer.body.data.face_id]);
  });

  it("refuses a blurred copy with 400 QUALITY_REJECTED, LOW_SHARPNESS, indexes nothing and audits the refusal", async () => {
    const answer = await indexFaces(blurred, "gate-blurred");
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body).toMatchObject({ code: "QUALITY_REJECTED", reasons: ["LOW_SHARPNESS"] });
    expect(answer.body.msg).toMatch(/LOW_SHARPNESS/);
    expect(answer.body.face.quality.sharpness).toBeLessThan(50);
    expect(await facesOf("gate-blurred")).toEqual([]);
    expect(await auditOf("gate-blurred")).toEqual([
      expect.objectContaining({ action: "refuse", outcome: { status: "quality_rejected" } }),
    ]);
  });

  it("indexes the same blurred copy when the request opts out (IndexFaces' AUTO filter accepts it)", async () => {
    const answer = await indexFaces(blurred, "gate-blurred-off", { quality_gate: "off" });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(await facesOf("gate-blurred-off")).toHaveLength(1);
  });

  it("refuses a head tilted 50 degrees with EXTREME_POSE", async () => {
    const answer = await indexFaces(tilted, "gate-tilted", { quality_gate: "enforce" });
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body.code).toBe("QUALITY_REJECTED");
    expect(answer.body.reasons).toContain("EXTREME_POSE");
    expect(Math.abs(answer.body.face.pose.roll)).toBeGreaterThan(30);
    expect(await facesOf("gate-tilted")).toEqual([]);
  });

  it("lets the person retake the selfie under the same key once refused", async () => {
    expect((await indexFaces(tilted, "gate-retake")).status).toBe(400);
    const retake = await indexFaces(facePhoto("people/B001232.jpg"), "gate-retake");
    expect(retake.status, JSON.stringify(retake.body)).toBe(200);
    expect(await facesOf("gate-retake")).toEqual([retake.body.data.face_id]);
  });
});
