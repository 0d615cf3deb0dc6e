/**
 * REKOGNITION_USERS=on through the worker against the real parts (Redis, local S3, the local Rekognition
 * server with the neural engine, official SDK): each external id is a user; search and dedupe find the
 * person by SearchUsersByImage with the same answers as before; delete removes the user and its faces.
 */
import { ListUsersCommand, ListFacesCommand } from "@aws-sdk/client-rekognition";
import { Queue } from "bullmq";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  DEFAULT_TENANT,
  JOBS,
  searchImageRedisKey,
  type DeleteFacesJob,
  type JobKind,
  type SearchFacesJob,
} from "@faceindex/contracts";
import { facePhoto, uniqueName } from "@faceindex/testing";
import { ensureCollection } from "../src/adapters/rekognition/ensure-collection.ts";
import { createFaceCollection } from "../src/adapters/rekognition/face-collection.ts";
import { createFaceDetector } from "../src/adapters/rekognition/face-detector.ts";
import { createFaceIndex } from "../src/adapters/rekognition/face-index.ts";
import { userIdOf } from "../src/adapters/rekognition/user-id.ts";
import { withRekognitionUsers } from "../src/adapters/rekognition/users-mode.ts";
import { createImageStore } from "../src/adapters/s3/image-store.ts";
import { createWorkers, type Workers } from "../src/workers.ts";
import { enqueueIndexJob, startLocalParts, waitForJob, type LocalParts } from "./helpers.ts";

const logger = pino({ level: "silent" });
let parts: LocalParts;
let workers: Workers;
let prefix: string;
let collectionId: string;
const queues = {} as Record<JobKind, Queue>;

beforeAll(async () => {
  parts = await startLocalParts("users-mode", inject("redisUrl"), { mode: "neural", threads: 1, log: () => {} });
  prefix = `{${uniqueName("users-test")}}`;
  collectionId = uniqueName("faces");
  const faceIndex = createFaceIndex(parts.rekognition);
  await ensureCollection(faceIndex, collectionId, logger);
  const faces = withRekognitionUsers(parts.rekognition, {
    faceIndex,
    faceCollection: createFaceCollection(parts.rekognition),
  });
  workers = createWorkers({
    redis: parts.redis,
    imageStore: createImageStore(parts.s3),
    ...faces,
    faceDetector: createFaceDetector(parts.rekognition),
    collectionId,
    logger,
    concurrency: 2,
    prefix,
  });
  for (const kind of ["index", "search", "delete"] as const)
    queues[kind] = new Queue(JOBS[kind].queueName, { connection: parts.redis, prefix });
});

afterAll(async () => {
  await workers?.close();
  for (const queue of Object.values(queues)) {
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await parts?.close();
});

async function enrol(photo: string, externalImageId: string, dedupe?: "reject") {
  const jobId = uniqueName("index");
  const target = { redis: parts.redis, queue: queues.index, prefix, bucket: parts.bucket };
  await enqueueIndexJob(target, facePhoto(photo), {
    jobId,
    externalImageId,
    objectKey: `selfies/${jobId}.jpg`,
    ...(dedupe ? { dedupe } : {}),
  });
  return (await waitForJob(queues.index, jobId)).outcome;
}

async function search(photo: string) {
  const jobId = uniqueName("search");
  const imageKey = searchImageRedisKey(jobId, prefix);
  await parts.redis.set(imageKey, facePhoto(photo), "EX", 120);
  const job: SearchFacesJob = {
    requestId: jobId,
    subject: "test-user",
    imageKey,
    contentType: "image/jpeg",
    threshold: 80,
    maxMatches: 10,
    tenant: DEFAULT_TENANT,
  };
  await queues.search.add("search-faces", job, { ...JOBS.search.jobOptions, jobId });
  return (await waitForJob(queues.search, jobId)).outcome;
}

describe("REKOGNITION_USERS=on", () => {
  it("enrols each external id as a user, finds the person by photo and flags a duplicate under another id", async () => {
    expect((await enrol("same/obama_1.jpg", "person-obama")).status).toBe("indexed");
    expect((await enrol("same/obama_2.jpg", "person-obama")).status).toBe("indexed");
    expect((await enrol("same/biden_1.jpg", "person-biden")).status).toBe("indexed");
    const users = await parts.rekognition.send(new ListUsersCommand({ CollectionId: collectionId }));
    expect(users.Users!.map((u) => [u.UserId, u.UserStatus])).toEqual([
      [userIdOf("person-biden"), "ACTIVE"],
      [userIdOf("person-obama"), "ACTIVE"],
    ]);

    const found = await search("same/obama_3.jpg");
    expect(found.status).toBe("searched");
    expect(found.data.matches.map((m: { external_image_id: string }) => m.external_image_id)).toEqual(["person-obama"]);
    expect(found.data.matches[0].bucket).toBe(parts.bucket);
    expect(found.data.matches[0].similarity).toBeGreaterThanOrEqual(80);

    const duplicate = await enrol("same/obama_3.jpg", "someone-else", "reject");
    expect(duplicate.status).toBe("duplicate");
    expect(duplicate.duplicates.map((m: { external_image_id: string }) => m.external_image_id)).toEqual([
      "person-obama",
    ]);
  });

  it("deletes the person's user and faces", async () => {
    const jobId = uniqueName("delete");
    const job: DeleteFacesJob = {
      requestId: jobId,
      subject: "test-user",
      bucket: parts.bucket,
      externalImageId: "person-obama",
      deleteImage: false,
      tenant: DEFAULT_TENANT,
    };
    await queues.delete.add("delete-faces", job, { ...JOBS.delete.jobOptions, jobId });
    const { outcome } = await waitForJob(queues.delete, jobId);
    expect(outcome.status).toBe("deleted");
    expect(outcome.data.deleted_face_ids).toHaveLength(2);
    const users = await parts.rekognition.send(new ListUsersCommand({ CollectionId: collectionId }));
    expect(users.Users!.map((u) => u.UserId)).toEqual([userIdOf("person-biden")]);
    const left = await parts.rekognition.send(new ListFacesCommand({ CollectionId: collectionId }));
    expect(left.Faces!.map((f) => f.ExternalImageId)).toEqual(["person-biden"]);
    expect((await search("same/obama_3.jpg")).data.matches).toEqual([]);
  });

  it("maps external ids to valid, distinct user ids", () => {
    expect(userIdOf("customer-42")).toBe("e:customer-42");
    const long = "x".repeat(200);
    expect(userIdOf(long)).toMatch(/^h:[0-9a-f]{64}$/);
    expect(userIdOf("a b")).not.toBe(userIdOf("a_b"));
  });
});
