/**
 * Throttling against the real local Rekognition (load-test engine, over HTTP), the local S3 and Redis:
 * a throttled call pauses every worker of the queue together (BullMQ's shared rate limit) without
 * spending the job's attempts, and sustained throttling still ends every job with an outcome.
 */
import type { Queue } from "bullmq";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { JOBS, type IndexFacesJob, type IndexFacesOutcome } from "@faceindex/contracts";
import { clearFaults, facePhoto, injectFault, uniqueName } from "@faceindex/testing";
import { ensureCollection } from "../src/adapters/rekognition/ensure-collection.ts";
import { createFaceIndex } from "../src/adapters/rekognition/face-index.ts";
import {
  enqueueIndexJob,
  startIndexWorkers,
  startLocalParts,
  waitForJob,
  type IndexWorkers,
  type LocalParts,
} from "./helpers.ts";

const collectionId = uniqueName("throttle-faces");
let parts: LocalParts;
const throttleLogs: unknown[] = [];
const logger = pino(
  { level: "warn" },
  { write: (line: string) => void (line.includes("pausing every worker") && throttleLogs.push(JSON.parse(line))) },
);

beforeAll(async () => {
  parts = await startLocalParts("throttle", inject("redisUrl"), {
    mode: "load-test",
    loadTestLatencyMs: 5,
    log: () => {},
  });
  await ensureCollection(createFaceIndex(parts.rekognition), collectionId, logger);
});

const opened: IndexWorkers[] = [];
afterEach(async () => {
  await clearFaults(parts.rekognitionUrl);
  for (const workers of opened.splice(0)) await workers.close();
  throttleLogs.length = 0;
});

afterAll(async () => {
  await parts?.close();
});

function start(count: number, throttle: { throttlePauseMs: number; maxThrottledMs?: number }) {
  const workers = startIndexWorkers(parts, { count, collectionId, logger, ...throttle });
  opened.push(workers);
  return workers;
}

async function submit(queue: Queue<IndexFacesJob, IndexFacesOutcome>, prefix: string, i: number): Promise<string> {
  const target = { redis: parts.redis, queue, prefix, bucket: parts.bucket };
  const { jobId } = await enqueueIndexJob(target, facePhoto("same/A000371_1.jpg"), {
    jobId: uniqueName(`throttled-${i}`),
  });
  return jobId;
}

describe("throttling", () => {
  it("pauses every worker together and retries throttled jobs without spending their attempts", async () => {
    const { queue, prefix } = start(2, { throttlePauseMs: 200 });
    await injectFault(parts.rekognitionUrl, {
      operation: "IndexFaces",
      count: 4,
      code: "ThrottlingException",
      status: 400,
    });

    const jobIds = await Promise.all(Array.from({ length: 6 }, (_, i) => submit(queue, prefix, i)));
    const finished = await Promise.all(jobIds.map((jobId) => waitForJob(queue, jobId)));

    expect(finished.map((job) => job.outcome?.status)).toEqual(Array(6).fill("indexed"));
    // Each job finished on its first counted attempt: the throttles put it back without using one.
    expect(finished.map((job) => job.attemptsMade)).toEqual(Array(6).fill(1));
    expect(throttleLogs).toHaveLength(4);
  });

  it("pauses a throttle on the last attempt too, while the window lasts", async () => {
    const { queue, prefix } = start(1, { throttlePauseMs: 100 });
    // 5xx errors use up every attempt but the last; the throttle then meets the last attempt.
    const attempts = JOBS.index.jobOptions.attempts!;
    await injectFault(parts.rekognitionUrl, {
      operation: "IndexFaces",
      count: attempts - 1,
      code: "ServiceUnavailableException",
      status: 503,
    });
    await injectFault(parts.rekognitionUrl, {
      operation: "IndexFaces",
      count: 1,
      code: "ThrottlingException",
      status: 400,
    });

    const { outcome, attemptsMade } = await waitForJob(queue, await submit(queue, prefix, 0));

    expect(outcome?.status).toBe("indexed");
    expect(attemptsMade).toBe(attempts);
    expect(throttleLogs).toHaveLength(1);
  });

  it("still ends a job with a retryable outcome when throttling never stops", async () => {
    const { queue, prefix } = start(1, { throttlePauseMs: 100, maxThrottledMs: 600 });
    await injectFault(parts.rekognitionUrl, {
      operation: "IndexFaces",
      // The fault door caps a count at 1000; far more than this job's 600 ms of throttling can use.
      count: 1_000,
      code: "ThrottlingException",
      status: 400,
    });

    const { outcome, attemptsMade } = await waitForJob(queue, await submit(queue, prefix, 0));

    expect(outcome).toMatchObject({ status: "failed", code: "ThrottlingException", retryable: true });
    expect(attemptsMade).toBe(JOBS.index.jobOptions.attempts);
    expect(throttleLogs.length).toBeGreaterThan(0);
  });
});
