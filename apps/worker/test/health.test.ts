/**
 * The worker's health port (health/): /healthz while it runs, /readyz by Redis, and both with the last S3
 * and Rekognition outcome and its time, recorded from real SDK calls (local S3, a Rekognition endpoint
 * that is down) and answered over HTTP.
 */
import { ListCollectionsCommand } from "@aws-sdk/client-rekognition";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startLocalS3, type LocalS3 } from "@faceindex/local-s3";
import { freePort, localRekognitionClient, localS3Client, uniqueName } from "@faceindex/testing";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDependencyHealth, trackDependency } from "../src/health/dependency-health.ts";
import { startHealthServer, type HealthServer } from "../src/health/health-server.ts";

const get = async (url: string) => {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe("worker health port", () => {
  const redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
  const dependencies = createDependencyHealth();
  const dir = mkdtempSync(join(tmpdir(), "worker-health-"));
  const bucket = uniqueName("health");
  let localS3: LocalS3;
  let server: HealthServer;
  beforeAll(async () => {
    // "Before any call" means with Redis connected: on a loaded machine the connection may still be opening
    // when the first probe arrives, and /readyz rightly answers 503 until it is.
    await redis.ping();
    localS3 = await startLocalS3({ directory: dir, buckets: [bucket] });
    server = await startHealthServer({ redis, dependencies }, "127.0.0.1", 0);
  });
  afterAll(async () => {
    await server?.close();
    await localS3?.close();
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers /healthz and /readyz with Redis up, before any call", async () => {
    expect(await get(`${server.url}/healthz`)).toMatchObject({ status: 200, body: { status: "ok" } });
    expect(await get(`${server.url}/readyz`)).toMatchObject({
      status: 200,
      body: { status: "ok", redis: "ok", dependencies: {} },
    });
  });

  it("reports the last S3 and Rekognition outcome with its time", async () => {
    const s3 = localS3Client(localS3.endpoint);
    const downRekognition = localRekognitionClient(`http://127.0.0.1:${await freePort()}`);
    trackDependency(s3, "s3", dependencies);
    trackDependency(downRekognition, "rekognition", dependencies);
    try {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "k.jpg", Body: Buffer.from("x") }));
      await expect(downRekognition.send(new ListCollectionsCommand({}))).rejects.toThrow();
      let ready = await get(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(ready.body.dependencies).toMatchObject({
        s3: { status: "ok", at: expect.any(String) },
        rekognition: { status: "failing", code: "ECONNREFUSED", at: expect.any(String) },
      });
      const at = (ready.body.dependencies as { s3: { at: string } }).s3.at;
      expect(Number.isNaN(Date.parse(at))).toBe(false);

      // A refusal of the request (no such bucket) shows the service is up, with the code.
      await expect(
        s3.send(new PutObjectCommand({ Bucket: uniqueName("missing"), Key: "k", Body: Buffer.from("x") })),
      ).rejects.toThrow();
      ready = await get(`${server.url}/readyz`);
      expect(ready.body.dependencies).toMatchObject({ s3: { status: "ok", code: "NoSuchBucket" } });
    } finally {
      s3.destroy();
      downRekognition.destroy();
    }
  });

  it("answers /readyz 503 while Redis is unreachable, /healthz still 200", async () => {
    const deadRedis = new Redis(`redis://127.0.0.1:${await freePort()}`, {
      maxRetriesPerRequest: null,
      lazyConnect: true,
    });
    deadRedis.on("error", () => {});
    const other = await startHealthServer({ redis: deadRedis, dependencies }, "127.0.0.1", 0);
    try {
      expect(await get(`${other.url}/readyz`)).toMatchObject({
        status: 503,
        body: { status: "unavailable", redis: "unreachable" },
      });
      expect((await get(`${other.url}/healthz`)).status).toBe(200);
    } finally {
      await other.close();
      deadRedis.disconnect();
    }
  });
});
