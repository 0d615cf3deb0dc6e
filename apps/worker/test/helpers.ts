/**
 * Shared by this package's integration tests: the real parts started once per test file (Redis, and the
 * local S3 and Rekognition server of @faceindex/testing) and job helpers. S3/Rekognition clients and fault
 * injection come from @faceindex/testing.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { RekognitionClient } from "@aws-sdk/client-rekognition";
import type { S3Client } from "@aws-sdk/client-s3";
import { Queue, type BackoffOptions } from "bullmq";
import { Redis } from "ioredis";
import { DEFAULT_TENANT, imageRedisKey, JOBS, type IndexFacesJob, type IndexFacesOutcome } from "@faceindex/contracts";
import { createFaceEngine } from "@faceindex/face-engine";
import { startRekognitionServer } from "@faceindex/rekognition-local";
import { startLocalAws, uniqueName } from "@faceindex/testing";
import { createFaceCollection } from "../src/adapters/rekognition/face-collection.ts";
import { createFaceDetector } from "../src/adapters/rekognition/face-detector.ts";
import { createFaceIndex } from "../src/adapters/rekognition/face-index.ts";
import { createImageStore } from "../src/adapters/s3/image-store.ts";
import { createWorkers, type WorkerDeps, type Workers } from "../src/workers.ts";

export interface LocalParts {
  /** A bucket of the local S3 made for this file. */
  bucket: string;
  s3: S3Client;
  /** One SDK attempt per call (production uses 2): each injected fault then fails exactly one BullMQ attempt. */
  rekognition: RekognitionClient;
  /** The local Rekognition server, for fault injection. */
  rekognitionUrl: string;
  /** `maxRetriesPerRequest: null`, as BullMQ workers need. */
  redis: Redis;
  close(): Promise<void>;
}

/**
 * Starts the local S3 and Rekognition server once for a test file (the neural engine's models take
 * seconds to load; "load-test" is the fast stand-in when faces do not matter).
 */
export async function startLocalParts(
  name: string,
  redisUrl: string,
  engineOptions: Parameters<typeof createFaceEngine>[0],
  /** Calls per second per operation the local Rekognition allows before throttling; unlimited when absent. */
  tpsLimit?: number,
): Promise<LocalParts> {
  const engine = await createFaceEngine(engineOptions);
  const aws = await startLocalAws({
    name,
    startRekognition: (server) =>
      startRekognitionServer({ engine, ...server, port: 0, ...(tpsLimit === undefined ? {} : { tpsLimit }) }),
  });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  return {
    bucket: aws.bucket,
    s3: aws.s3,
    rekognition: aws.rekognition,
    rekognitionUrl: aws.rekognitionUrl,
    redis,
    async close() {
      await aws.close();
      await engine.close();
      await redis.quit();
    },
  };
}

export interface IndexWorkers {
  workers: Workers[];
  queue: Queue<IndexFacesJob, IndexFacesOutcome>;
  prefix: string;
  /** Closes the workers, then empties and closes the queue. */
  close(): Promise<void>;
}

/** `count` real index-faces workers (S3 and Rekognition of the local parts) on a prefix of their own. */
export function startIndexWorkers(
  parts: LocalParts,
  options: Pick<WorkerDeps, "collectionId" | "logger"> &
    Partial<Omit<WorkerDeps, "redis" | "prefix">> & { count?: number },
): IndexWorkers {
  const { count = 1, ...deps } = options;
  const prefix = `{${uniqueName("test")}}`;
  const workers = Array.from({ length: count }, () =>
    createWorkers(
      {
        redis: parts.redis,
        imageStore: createImageStore(parts.s3),
        faceIndex: createFaceIndex(parts.rekognition),
        faceCollection: createFaceCollection(parts.rekognition),
        faceDetector: createFaceDetector(parts.rekognition),
        concurrency: 2,
        prefix,
        ...deps,
      },
      ["index"],
    ),
  );
  const queue = new Queue<IndexFacesJob, IndexFacesOutcome>(JOBS.index.queueName, {
    connection: parts.redis,
    prefix,
  });
  return {
    workers,
    queue,
    prefix,
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
      await queue.obliterate({ force: true });
      await queue.close();
    },
  };
}

/** Parks the bytes like the API does (none: an expired image) and enqueues an index-faces job; retries back off 10 ms instead of 250 ms. */
export async function enqueueIndexJob(
  target: { redis: Pick<Redis, "set">; queue: Pick<Queue, "add">; prefix: string; bucket: string },
  bytes: Buffer | null,
  overrides: Partial<IndexFacesJob> & { jobId?: string } = {},
  backoff: BackoffOptions = { type: "fixed", delay: 10 },
): Promise<{ jobId: string; job: IndexFacesJob }> {
  const { jobId = uniqueName("req"), ...fields } = overrides;
  const imageKey = imageRedisKey(jobId, target.prefix);
  if (bytes) await target.redis.set(imageKey, bytes, "EX", 120);
  const job: IndexFacesJob = {
    requestId: jobId,
    tenant: DEFAULT_TENANT,
    subject: "test-user",
    imageKey,
    contentType: "image/jpeg",
    bucket: target.bucket,
    objectKey: `selfies/${jobId}.jpg`,
    externalImageId: `user-${jobId}`,
    maxFaces: 1,
    qualityFilter: "AUTO",
    ...fields,
  };
  await target.queue.add("index-faces", job, { ...JOBS.index.jobOptions, jobId, backoff });
  return { jobId, job };
}

export interface FinishedJob<Outcome> {
  outcome: Outcome | undefined;
  attemptsMade: number;
  /** Every start, including runs put back without spending an attempt (throttle, busy lock) and stalled re-runs. */
  attemptsStarted: number;
  failedReason: string | undefined;
}

/** Polls the job until it completed or failed for good (no QueueEvents: one less blocking connection). The outcome is `any` for an untyped queue. */
export async function waitForJob<Outcome = any>(
  queue: Pick<Queue<unknown, Outcome>, "getJob">,
  jobId: string,
  timeoutMs = 45_000,
): Promise<FinishedJob<Outcome>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const job = await queue.getJob(jobId);
    if (job?.finishedOn) {
      return {
        outcome: job.returnvalue ?? undefined,
        attemptsMade: job.attemptsMade,
        attemptsStarted: job.attemptsStarted,
        failedReason: job.failedReason || undefined,
      };
    }
    await sleep(50);
  }
  throw new Error(`job ${jobId} did not finish within ${timeoutMs} ms`);
}

/**
 * Whether a key is gone, waiting for it a while: the worker frees a parked image once BullMQ has stored
 * the job's outcome, so just after a job finished its key may still be there for a moment.
 */
export async function keyGone(redis: Pick<Redis, "exists">, key: string, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while ((await redis.exists(key)) === 1) {
    if (Date.now() >= deadline) return false;
    await sleep(20);
  }
  return true;
}
