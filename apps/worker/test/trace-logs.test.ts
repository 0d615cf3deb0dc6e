/**
 * One request traced through the worker's logs: every line of a job (each attempt, its retry, its end)
 * carries the submitting request's id as `reqId` (the key of the API's own request lines) and the
 * caller's traceparent. Real Redis and BullMQ; S3 and Rekognition are fakes, the point is the log.
 */
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, describe, expect, inject, it } from "vitest";
import { DEFAULT_TENANT, imageRedisKey, JOBS, type IndexFacesJob, type IndexFacesOutcome } from "@faceindex/contracts";
import { facePhoto, uniqueName } from "@faceindex/testing";
import { createWorkers } from "../src/workers.ts";
import { waitForJob } from "./helpers.ts";

const redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
afterAll(() => redis.quit());

const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("worker log lines of a traced job", () => {
  it("all carry the request id and traceparent, across a retry", async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: "trace" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const prefix = `{${uniqueName("trace-test")}}`;
    let calls = 0;
    const notUsed = async (): Promise<never> => {
      throw new Error("not called by index-faces jobs without dedupe");
    };
    const workers = createWorkers(
      {
        redis,
        imageStore: {
          putImage: async () => ({ etag: "abc" }),
          headImage: async () => null,
          deleteImage: notUsed,
          conditionalWrites: true,
        },
        faceCollection: { searchFacesByImage: notUsed, deleteFaces: notUsed },
        faceDetector: { detectFaces: notUsed },
        faceIndex: {
          ensureCollection: async () => false,
          indexFaces: async () => {
            calls += 1;
            // The first attempt fails transiently, so the job logs a retry and a second attempt.
            if (calls === 1) {
              throw Object.assign(new Error("boom"), {
                name: "InternalServerError",
                $metadata: { httpStatusCode: 500 },
              });
            }
            return { faceModelVersion: "7.0", indexed: [], unindexed: [] };
          },
        },
        collectionId: "trace-test",
        logger,
        concurrency: 1,
        prefix,
      },
      ["index"],
    );
    const queue = new Queue<IndexFacesJob, IndexFacesOutcome>(JOBS.index.queueName, { connection: redis, prefix });
    const jobId = uniqueName("traced");
    const requestId = uniqueName("req");
    try {
      const imageKey = imageRedisKey(jobId, prefix);
      await redis.set(imageKey, facePhoto("same/A000371_1.jpg"), "EX", 60);
      const job: IndexFacesJob = {
        requestId: jobId,
        trace: { requestId, traceparent: TRACEPARENT },
        tenant: DEFAULT_TENANT,
        subject: "s",
        imageKey,
        contentType: "image/jpeg",
        bucket: "kyc-faces",
        objectKey: `k/${jobId}.jpg`,
        externalImageId: "user-1",
        maxFaces: 1,
        qualityFilter: "AUTO",
      };
      await queue.add("index-faces", job, { ...JOBS.index.jobOptions, jobId, backoff: { type: "fixed", delay: 10 } });
      await waitForJob(queue, jobId);
    } finally {
      await workers.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }

    const ofJob = lines.filter((line) => line["jobId"] === jobId);
    const messages = ofJob.map((line) => line["msg"]);
    expect(messages).toEqual(
      expect.arrayContaining(["index-faces attempt failed, will retry", "index-faces job finished"]),
    );
    expect(new Set(ofJob.map((line) => line["attempt"]))).toEqual(new Set([1, 2]));
    for (const line of ofJob) expect(line).toMatchObject({ reqId: requestId, traceparent: TRACEPARENT });
  });
});
