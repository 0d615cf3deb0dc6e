/**
 * Throttling against the real local Rekognition (load-test engine, over HTTP), the local S3 and Redis:
 * a throttled call pauses every worker of the queue together (BullMQ's shared rate limit) without
 * spending the job's attempts, and sustained throttling still ends every job with an outcome.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RekognitionClient } from "@aws-sdk/client-rekognition";
import type { S3Client } from "@aws-sdk/client-s3";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { imageRedisKey, indexFacesJobOptions, type IndexFacesJob, type IndexFacesOutcome } from "@faceindex/contracts";
import { createFaceEngine, type FaceEngine } from "@faceindex/face-engine";
import { startLocalS3, type LocalS3 } from "@faceindex/local-s3";
import { startRekognitionServer } from "@faceindex/rekognition-local";
import { facePhoto, uniqueName } from "@faceindex/testing";
import { createFaceIndex, createImageStore, createWorker, ensureCollection, type IndexFacesWorker } from "../src/app.ts";
import { clearFaults, injectFault, localRekognitionClient, localS3Client, waitForJob } from "./helpers.ts";

const bucket = uniqueName("throttle");
const collectionId = uniqueName("throttle-faces");
let dataDir: string;
let localS3: LocalS3;
let engine: FaceEngine;
let rekognitionServer: { url: string; close(): Promise<void> };
let s3: S3Client;
let rekognition: RekognitionClient;
let redis: Redis;
const throttleLogs: unknown[] = [];
const logger = pino(
  { level: "warn" },
  { write: (line: string) => void (line.includes("pausing every worker") && throttleLogs.push(JSON.parse(line))) },
);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "throttle-test-"));
  localS3 = await startLocalS3({ directory: join(dataDir, "s3"), buckets: [bucket] });
  s3 = localS3Client(localS3.endpoint);
  engine = await createFaceEngine({ mode: "load-test", loadTestLatencyMs: 5, log: () => {} });
  rekognitionServer = await startRekognitionServer({ engine, dataDir: join(dataDir, "rekognition"), s3, port: 0 });
  rekognition = localRekognitionClient(rekognitionServer.url);
  await ensureCollection(createFaceIndex(rekognition), collectionId, { logger });
  redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
});

const opened: Array<{ workers: IndexFacesWorker[]; queue: Queue }> = [];
afterEach(async () => {
  await clearFaults(rekognitionServer.url);
  for (const { workers, queue } of opened.splice(0)) {
    await Promise.all(workers.map((worker) => worker.close()));
    await queue.obliterate({ force: true });
    await queue.close();
  }
  throttleLogs.length = 0;
});

afterAll(async () => {
  await rekognitionServer?.close();
  await engine?.close();
  await localS3?.close();
  await redis?.quit();
  s3?.destroy();
  rekognition?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

function start(workerCount: number, throttle: { throttlePauseMs: number; maxThrottledMs?: number }) {
  const queueName = uniqueName("index-faces");
  const prefix = `{${uniqueName("throttle")}}`;
  const workers = Array.from({ length: workerCount }, () =>
    createWorker({
      redis,
      imageStore: createImageStore(s3),
      faceIndex: createFaceIndex(rekognition),
      collectionId,
      logger,
      concurrency: 2,
      queueName,
      prefix,
      ...throttle,
    }),
  );
  const queue = new Queue<IndexFacesJob, IndexFacesOutcome>(queueName, { connection: redis, prefix });
  opened.push({ workers, queue });
  return { queue, prefix };
}

async function submit(queue: Queue<IndexFacesJob, IndexFacesOutcome>, prefix: string, i: number): Promise<string> {
  const jobId = uniqueName(`throttled-${i}`);
  const imageKey = imageRedisKey(jobId, prefix);
  await redis.set(imageKey, facePhoto("same/A000371_1.jpg"), "EX", 120);
  const job: IndexFacesJob = {
    requestId: jobId,
    subject: "test-user",
    imageKey,
    contentType: "image/jpeg",
    bucket,
    objectKey: `selfies/${jobId}.jpg`,
    externalImageId: `user-${jobId}`,
    maxFaces: 1,
    qualityFilter: "AUTO",
  };
  await queue.add("index-faces", job, { ...indexFacesJobOptions, jobId, backoff: { type: "fixed", delay: 10 } });
  return jobId;
}

describe("throttling", () => {
  it("pauses every worker together and retries throttled jobs without spending their attempts", async () => {
    const { queue, prefix } = start(2, { throttlePauseMs: 200 });
    await injectFault(rekognitionServer.url, { operation: "IndexFaces", count: 4, code: "ThrottlingException", status: 400 });

    const jobIds = await Promise.all(Array.from({ length: 6 }, (_, i) => submit(queue, prefix, i)));
    const finished = await Promise.all(jobIds.map((jobId) => waitForJob(queue, jobId)));

    expect(finished.map((job) => job.outcome?.status)).toEqual(Array(6).fill("indexed"));
    // Each job finished on its first counted attempt: the throttles put it back without using one.
    expect(finished.map((job) => job.attemptsMade)).toEqual(Array(6).fill(1));
    expect(throttleLogs).toHaveLength(4);
  });

  it("still ends a job with a retryable outcome when throttling never stops", async () => {
    const { queue, prefix } = start(1, { throttlePauseMs: 100, maxThrottledMs: 600 });
    await injectFault(rekognitionServer.url, { operation: "IndexFaces", count: 10_000, code: "ThrottlingException", status: 400 });

    const { outcome, attemptsMade } = await waitForJob(queue, await submit(queue, prefix, 0));

    expect(outcome).toMatchObject({ status: "failed", code: "ThrottlingException", retryable: true });
    expect(attemptsMade).toBe(indexFacesJobOptions.attempts);
    expect(throttleLogs.length).toBeGreaterThan(0);
  });
});
