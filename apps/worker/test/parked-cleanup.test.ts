/**
 * When the parked image is freed: only after BullMQ has stored the job's final outcome (completed, or
 * failed for good), never inside the processor, so a worker dying before the store re-runs the job with
 * its bytes instead of answering IMAGE_EXPIRED for an image that was in fact indexed. Real Redis and
 * BullMQ; S3 and Rekognition are fakes, since the point is the order of the worker's own steps.
 */
import { Queue, UnrecoverableError } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { JOBS, type IndexFacesJob, type IndexFacesOutcome } from "@faceindex/contracts";
import { facePhoto, uniqueName } from "@faceindex/testing";
import type { IndexFacesResult } from "../src/adapters/rekognition/face-index.ts";
import { createExternalIdLock } from "../src/adapters/redis/external-id-lock.ts";
import { createAuditLog } from "../src/adapters/redis/audit-log.ts";
import { createGalleryMap } from "../src/adapters/redis/gallery-map.ts";
import { createObjectClaims } from "../src/adapters/redis/object-claims.ts";
import { createStoredObjects } from "../src/adapters/redis/stored-objects.ts";
import { createParkedImages } from "../src/adapters/redis/parked-images.ts";
import { createIndexFacesProcessor } from "../src/jobs/index-faces.ts";
import type { JobRunner } from "../src/runtime/job-runner.ts";
import { createQueueWorker, DEFAULT_LOCK_DURATION_MS } from "../src/runtime/queue-worker.ts";
import { enqueueIndexJob, keyGone, waitForJob } from "./helpers.ts";

const redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
const logger = pino({ level: "silent" });
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});
afterAll(() => redis.quit());

const noFace: IndexFacesResult = { faceModelVersion: "7.0", indexed: [], unindexed: [] };
const serverError = () =>
  Object.assign(new Error("busy"), {
    name: "ServiceUnavailableException",
    $fault: "server",
    $metadata: { httpStatusCode: 503 },
  });

/** A real index-faces worker whose processor and clean-up report what they saw in Redis. */
function start(indexFaces: () => Promise<IndexFacesResult>) {
  const prefix = `{${uniqueName("cleanup-test")}}`;
  const queue = new Queue<IndexFacesJob, IndexFacesOutcome>(JOBS.index.queueName, { connection: redis, prefix });
  const parked = createParkedImages(redis);
  const seen = { parkedWhenReturning: [] as number[], jobStateWhenFreed: [] as string[] };
  const processor = createIndexFacesProcessor({
    imageStore: { putImage: async () => ({ etag: "etag" }), headImage: async () => null, conditionalWrites: true },
    faceIndex: { indexFaces },
    // No dedupe in these jobs.
    faceCollection: { searchFacesByImage: async () => null },
    // No quality gate in these jobs (test/quality-gate.test.ts has it).
    faceDetector: { detectFaces: async () => [] },
    scopeFor: async () => ({
      collectionId: "cleanup-test",
      gallery: createGalleryMap(redis, prefix, "cleanup-test"),
      lock: createExternalIdLock({ redis, prefix, collectionId: "cleanup-test", ttlMs: DEFAULT_LOCK_DURATION_MS }),
    }),
    claims: createObjectClaims(redis, prefix),
    storedObjects: createStoredObjects(redis, prefix),
    audit: createAuditLog(redis, prefix, 3_600_000),
    parkedImages: {
      read: parked.read,
      async remove(key) {
        const [job] = await queue.getJobs(["active", "completed", "failed"]);
        seen.jobStateWhenFreed.push(job ? await job.getState() : "none");
        await parked.remove(key);
      },
    },
    logger,
  });
  const runner: JobRunner<IndexFacesOutcome> = Object.assign(
    async (...args: Parameters<typeof processor>) => {
      const outcome = await processor(...args);
      seen.parkedWhenReturning.push(await redis.exists((args[0].data as IndexFacesJob).imageKey));
      return outcome as IndexFacesOutcome;
    },
    { cleanup: processor.cleanup },
  );
  const worker = createQueueWorker("index", runner, { redis, prefix, logger, concurrency: 1 });
  closers.push(async () => {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
  });
  return { queue, prefix, seen };
}

describe("parked image clean-up", () => {
  it("keeps the bytes through a retry and while the processor returns, and frees them once the job is stored completed", async () => {
    let calls = 0;
    const { queue, prefix, seen } = start(async () => {
      calls += 1;
      if (calls === 1) throw serverError();
      return noFace;
    });
    const { jobId, job } = await enqueueIndexJob(
      { redis, queue, prefix, bucket: "kyc-faces" },
      facePhoto("same/obama_1.jpg"),
    );

    const { outcome, attemptsMade } = await waitForJob(queue, jobId);

    expect(outcome?.status).toBe("no_face"); // not IMAGE_EXPIRED: the retry still had the bytes
    expect(attemptsMade).toBe(2);
    expect(seen.parkedWhenReturning).toEqual([1]);
    expect(await keyGone(redis, job.imageKey)).toBe(true);
    expect(seen.jobStateWhenFreed).toEqual(["completed"]);
  });

  it("frees the bytes once a job has failed for good", async () => {
    const { queue, prefix, seen } = start(async () => {
      throw new UnrecoverableError("cannot go on");
    });
    const { jobId, job } = await enqueueIndexJob(
      { redis, queue, prefix, bucket: "kyc-faces" },
      facePhoto("same/obama_1.jpg"),
    );

    const { outcome, failedReason } = await waitForJob(queue, jobId);

    expect(outcome).toBeUndefined();
    expect(failedReason).toBe("cannot go on");
    expect(await keyGone(redis, job.imageKey)).toBe(true);
    expect(seen.jobStateWhenFreed).toEqual(["failed"]);
  });
});
