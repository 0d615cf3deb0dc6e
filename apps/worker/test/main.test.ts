/**
 * The worker as a process, the way `pnpm start` runs it: env -> clients -> collection -> jobs ->
 * graceful stop on SIGTERM. It starts before the local Rekognition server, which must be waited for.
 *
 * main.ts consumes the contract's default queue, which other test files (the end-to-end stack) use in
 * Redis database 0; this test runs in another database so neither takes the other's jobs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomInt } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { DescribeCollectionCommand } from "@aws-sdk/client-rekognition";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  DEFAULT_TENANT,
  INDEX_FACES_QUEUE,
  QUEUE_PREFIX,
  imageRedisKey,
  JOBS,
  type IndexFacesJob,
  type IndexFacesOutcome,
} from "@faceindex/contracts";
import { createFaceEngine, type FaceEngine } from "@faceindex/face-engine";
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from "@faceindex/local-s3";
import { startRekognitionServer, type RekognitionServer } from "@faceindex/rekognition-local";
import { facePhoto, freePort, localRekognitionClient, localS3Client, uniqueName } from "@faceindex/testing";
import { waitForJob } from "./helpers.ts";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const bucket = uniqueName("kyc");
const collectionId = uniqueName("main-faces");
let dataDir: string;
let localS3: LocalS3;
let engine: FaceEngine | undefined;
let rekognitionServer: RekognitionServer | undefined;
let redisUrl: string;
let redis: Redis;
let child: ChildProcess | undefined;
const logLines: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "worker-main-test-"));
  localS3 = await startLocalS3({ directory: join(dataDir, "s3"), buckets: [bucket] });
  const url = new URL(inject("redisUrl"));
  url.pathname = `/${randomInt(1, 16)}`;
  redisUrl = url.toString();
  redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  await rekognitionServer?.close();
  await engine?.close();
  await localS3?.close();
  await redis?.quit();
  rmSync(dataDir, { recursive: true, force: true });
});

async function waitForLog(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = logLines.find((candidate) => pattern.test(candidate));
    if (line) return line;
    if (child?.exitCode !== null) throw new Error(`worker exited (${child?.exitCode}): ${logLines.join("\n")}`);
    await sleep(50);
  }
  throw new Error(`no log line matching ${pattern} within ${timeoutMs} ms:\n${logLines.join("\n")}`);
}

describe("worker process (src/main.ts)", () => {
  it("waits for Rekognition, creates the collection, indexes a job and stops cleanly on SIGTERM", async () => {
    const rekognitionPort = await freePort();
    const rekognitionUrl = `http://127.0.0.1:${rekognitionPort}`;
    child = spawn(process.execPath, ["--import", "tsx", "apps/worker/src/main.ts"], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH,
        REDIS_URL: redisUrl,
        COLLECTION_ID: collectionId,
        WORKER_CONCURRENCY: "1",
        S3_ENDPOINT: localS3.endpoint,
        REKOGNITION_ENDPOINT: rekognitionUrl,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => logLines.push(...chunk.split("\n").filter(Boolean)));
    }

    // Nothing listens yet: the worker must keep trying instead of giving up.
    await waitForLog(/Rekognition not ready, retrying/);
    // Faces do not matter here, so the fast stand-in engine serves.
    engine = await createFaceEngine({ mode: "load-test", log: () => {} });
    const s3 = localS3Client(localS3.endpoint);
    rekognitionServer = await startRekognitionServer({
      engine,
      dataDir: join(dataDir, "rekognition"),
      s3,
      port: rekognitionPort,
    });
    await waitForLog(/worker started/);
    const rekognition = localRekognitionClient(rekognitionUrl);
    const collection = await rekognition.send(new DescribeCollectionCommand({ CollectionId: collectionId }));
    expect(collection.FaceCount).toBe(0);

    const queue = new Queue<IndexFacesJob, IndexFacesOutcome>(INDEX_FACES_QUEUE, {
      connection: redis,
      prefix: QUEUE_PREFIX,
    });
    try {
      const jobId = uniqueName("req");
      const imageKey = imageRedisKey(jobId);
      const photo = facePhoto("same/obama_1.jpg");
      await redis.set(imageKey, photo, "EX", 120);
      const objectKey = `selfies/${jobId}.jpg`;
      await queue.add(
        "index-faces",
        {
          requestId: jobId,
          tenant: DEFAULT_TENANT,
          subject: "t",
          imageKey,
          contentType: "image/jpeg",
          bucket,
          objectKey,
          externalImageId: "user-1",
          maxFaces: 1,
          qualityFilter: "NONE",
        },
        { ...JOBS.index.jobOptions, jobId },
      );

      const { outcome } = await waitForJob(queue, jobId);
      expect(outcome?.status).toBe("indexed");
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey }));
      expect(head.ContentLength).toBe(photo.length);
      const finished = JSON.parse(await waitForLog(new RegExp(`"jobId":"${jobId}".*index-faces job finished`)));
      expect(finished).toMatchObject({ jobId, attempt: 1, status: "indexed", durationMs: expect.any(Number) });

      const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      await waitForLog(/worker stopped/);
      const logs = logLines.join("\n");
      expect(logs).not.toContain(LOCAL_S3_CREDENTIALS.secretAccessKey);
      expect(logs).not.toContain(photo.toString("base64").slice(0, 64));
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      s3.destroy();
      rekognition.destroy();
    }
  });
});
