/**
 * The fault-injection door (POST /_local/faults) is shut unless the server was started with it on, takes
 * only application/json (a web page's text/plain form post cannot reach it) and caps count and latency.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListCollectionsCommand } from "@aws-sdk/client-rekognition";
import { createFaceEngine, type FaceEngine } from "@faceindex/face-engine";
import { clearFaults, localRekognitionClient, localS3Client, pendingFaults, postFault } from "@faceindex/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startRekognitionServer, type RekognitionServer } from "../src/server.ts";
import { startTestStack, type TestStack } from "./test-stack.ts";

const throttle = { operation: "ListCollections", count: 1, code: "ThrottlingException" };

describe("with fault injection off (the default)", () => {
  let engine: FaceEngine;
  let server: RekognitionServer;
  let dataDir: string;
  beforeAll(async () => {
    engine = await createFaceEngine({ mode: "load-test", loadTestLatencyMs: 1, log: () => {} });
    dataDir = mkdtempSync(join(tmpdir(), "fault-door-"));
    // No S3Object is read here: the S3 client is never called.
    server = await startRekognitionServer({ engine, dataDir, s3: localS3Client("http://127.0.0.1:9"), port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await engine?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers 404 to every method of /_local/faults, and no call is faulted", async () => {
    expect((await postFault(server.url, throttle)).status).toBe(404);
    expect((await fetch(`${server.url}/_local/faults`)).status).toBe(404);
    expect((await fetch(`${server.url}/_local/faults`, { method: "DELETE" })).status).toBe(404);
    const rekognition = localRekognitionClient(server.url);
    try {
      await expect(rekognition.send(new ListCollectionsCommand({}))).resolves.toMatchObject({ CollectionIds: [] });
    } finally {
      rekognition.destroy();
    }
  });
});

describe("with fault injection on", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ engine: "load-test" });
  });
  afterEach(() => clearFaults(stack.rekognitionUrl));
  afterAll(() => stack?.close());

  it.each([
    ["text/plain", "text/plain;charset=UTF-8"],
    ["a form", "application/x-www-form-urlencoded"],
    ["no type", undefined],
  ])("refuses %s with 415 and adds nothing", async (_what, contentType) => {
    const response = await fetch(`${stack.rekognitionUrl}/_local/faults`, {
      method: "POST",
      ...(contentType ? { headers: { "content-type": contentType } } : {}),
      body: JSON.stringify(throttle),
    });
    expect(response.status).toBe(415);
    expect(await pendingFaults(stack.rekognitionUrl)).toEqual([]);
  });

  it("caps count at 1000 and latencyMs at 30000 (400 above, naming the field)", async () => {
    const tooMany = await postFault(stack.rekognitionUrl, { ...throttle, count: 1e9 });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.text()).toContain("count");
    const tooSlow = await postFault(stack.rekognitionUrl, { operation: "ListCollections", latencyMs: 60_000 });
    expect(tooSlow.status).toBe(400);
    expect(await tooSlow.text()).toContain("latencyMs");
    expect(await pendingFaults(stack.rekognitionUrl)).toEqual([]);
    expect((await postFault(stack.rekognitionUrl, { ...throttle, count: 1_000, latencyMs: 30_000 })).status).toBe(201);
  });
});
