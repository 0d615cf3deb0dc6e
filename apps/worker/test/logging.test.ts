/**
 * The worker's logs never carry image bytes or what AWS errors say about accounts and signed URLs, on the
 * success path or the error paths (transient retries, permanent failures). Real Redis and BullMQ; S3 and
 * Rekognition are hand-written fakes here because the point is what the worker itself writes.
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

const photo = facePhoto("same/A000371_1.jpg");
const SECRET_ARN = "arn:aws:iam::123456789012:user/kyc-secret-user";
const SIGNED_URL = "X-Amz-Signature=3f2a9b0c1d";
const awsError = (name: string, status: number, message: string) =>
  Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status },
  });

describe("worker logs", () => {
  it("hold no image bytes, ARNs or signed URLs, whatever the job does", async () => {
    let logs = "";
    const logger = pino({ level: "trace" }, { write: (line: string) => void (logs += line) });
    const prefix = `{${uniqueName("log-test")}}`;
    let calls = 0;
    const notUsed = async (): Promise<never> => {
      throw new Error("not called by index-faces jobs without dedupe");
    };
    const worker = createWorkers(
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
          indexFaces: async (request) => {
            calls += 1;
            if (request.externalImageId === "transient" && calls < 3)
              throw awsError("InternalServerError", 500, `boom at ${SIGNED_URL}`);
            if (request.externalImageId === "denied")
              throw awsError("AccessDeniedException", 400, `${SECRET_ARN} is not authorized`);
            return { faceModelVersion: "7.0", indexed: [], unindexed: [] };
          },
        },
        collectionId: "log-test",
        logger,
        concurrency: 1,
        prefix,
      },
      ["index"],
    );
    const queue = new Queue<IndexFacesJob, IndexFacesOutcome>(JOBS.index.queueName, { connection: redis, prefix });
    try {
      for (const externalImageId of ["ok", "transient", "denied"]) {
        const jobId = uniqueName(externalImageId);
        const imageKey = imageRedisKey(jobId, prefix);
        await redis.set(imageKey, photo, "EX", 60);
        const job: IndexFacesJob = {
          requestId: jobId,
          tenant: DEFAULT_TENANT,
          subject: "s",
          imageKey,
          contentType: "image/jpeg",
          bucket: "kyc-faces",
          objectKey: `k/${jobId}.jpg`,
          externalImageId,
          maxFaces: 1,
          qualityFilter: "AUTO",
        };
        await queue.add("index-faces", job, { ...JOBS.index.jobOptions, jobId, backoff: { type: "fixed", delay: 10 } });
        const { outcome } = await waitForJob(queue, jobId);
        if (externalImageId === "denied") expect(JSON.stringify(outcome)).not.toContain(SECRET_ARN);
      }
    } finally {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }

    expect(logs).toContain("index-faces attempt failed, will retry");
    expect(logs).toContain("AccessDeniedException");
    for (const secret of [SECRET_ARN, SIGNED_URL]) expect(logs).not.toContain(secret);
    const base64 = photo.toString("base64");
    for (const offset of [0, 1_000, 4_000]) expect(logs).not.toContain(base64.slice(offset, offset + 40));
    expect(logs).not.toContain(photo.subarray(200, 240).toString("latin1"));
  });
});
