/**
 * The gallery processors (index with mapping and dedupe, delete, search, rebuild) and the per-person
 * lock against the real parts: Redis, the local S3 and the local Rekognition server (neural engine)
 * over HTTP with the official SDK. Each test has its own queues and key prefix.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { HeadObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { Queue, Worker, type BackoffOptions } from "bullmq";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import {
  DEFAULT_TENANT,
  JOBS,
  externalIdKey,
  externalIdLockKey,
  facesKey,
  searchImageRedisKey,
  type DeleteFacesJob,
  type JobKind,
  type IndexFacesJob,
  type SearchFacesJob,
} from "@faceindex/contracts";
import { clearFaults, facePhoto, injectFault, uniqueName } from "@faceindex/testing";
import { createExternalIdLock } from "../src/adapters/redis/external-id-lock.ts";
import { createGalleryMap } from "../src/adapters/redis/gallery-map.ts";
import { ensureCollection } from "../src/adapters/rekognition/ensure-collection.ts";
import { createFaceCollection } from "../src/adapters/rekognition/face-collection.ts";
import { createFaceDetector } from "../src/adapters/rekognition/face-detector.ts";
import { createFaceIndex } from "../src/adapters/rekognition/face-index.ts";
import { findImageOwners } from "../src/adapters/s3/image-owners.ts";
import { createImageStore } from "../src/adapters/s3/image-store.ts";
import { LockBusyError } from "../src/runtime/lock-busy-error.ts";
import { rebuildGallery } from "../src/tools/rebuild-gallery.ts";
import { createWorkers, type Workers } from "../src/workers.ts";
import { enqueueIndexJob, keyGone, startLocalParts, waitForJob, type LocalParts } from "./helpers.ts";

const logger = pino({ level: "silent" });
let parts: LocalParts;
let bucket: string;
let s3: LocalParts["s3"];
let rekognition: LocalParts["rekognition"];
let redis: LocalParts["redis"];

beforeAll(async () => {
  // One neural engine for the whole file: its models take seconds to load.
  parts = await startLocalParts("gallery", inject("redisUrl"), { mode: "neural", threads: 1, log: () => {} });
  ({ bucket, s3, rekognition, redis } = parts);
});

afterAll(async () => {
  await parts?.close();
});

/** Every worker and queue of one test, on a fresh collection so tests never see each other's faces. */
interface Harness {
  prefix: string;
  collectionId: string;
  index: Queue;
  remove: Queue;
  search: Queue;
  /** Starts the delete and search workers when startHarness was told to defer them. */
  startGalleryWorkers(): void;
  close(): Promise<void>;
}
const harnesses: Harness[] = [];

/** Throttles pause the queue 200 ms (1 s in production) to keep the tests short. */
async function startHarness({
  deferGalleryWorkers = false,
  ...settings
}: {
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  maxLockWaitMs?: number;
  deferGalleryWorkers?: boolean;
} = {}): Promise<Harness> {
  const prefix = `{${uniqueName("gallery-test")}}`;
  const collection = uniqueName("faces");
  await ensureCollection(createFaceIndex(rekognition), collection, logger);
  const deps = {
    redis,
    imageStore: createImageStore(s3),
    faceIndex: createFaceIndex(rekognition),
    faceCollection: createFaceCollection(rekognition),
    faceDetector: createFaceDetector(rekognition),
    collectionId: collection,
    logger,
    concurrency: 2,
    prefix,
    throttlePauseMs: 200,
    ...settings,
  };
  const indexWorkers = createWorkers(deps, ["index"]);
  let galleryWorkers: Workers | undefined;
  const startGalleryWorkers = () => {
    galleryWorkers = createWorkers(deps, ["delete", "search"]);
  };
  if (!deferGalleryWorkers) startGalleryWorkers();
  const queue = (kind: JobKind) => new Queue(JOBS[kind].queueName, { connection: redis, prefix });
  const harness: Harness = {
    prefix,
    collectionId: collection,
    index: queue("index"),
    remove: queue("delete"),
    search: queue("search"),
    startGalleryWorkers,
    async close() {
      await Promise.all([indexWorkers.close(), galleryWorkers?.close()]);
      for (const q of [harness.index, harness.remove, harness.search]) {
        await q.obliterate({ force: true });
        await q.close();
      }
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    },
  };
  harnesses.push(harness);
  return harness;
}

afterEach(async () => {
  await clearFaults(parts.rekognitionUrl);
  for (const harness of harnesses.splice(0)) await harness.close();
});

/** Polls the job until it finished for good (no QueueEvents: one less blocking connection). */
const finished = waitForJob;

/** Parks the bytes like the API does and enqueues an index job; fast fixed backoff unless options say otherwise. */
function submitIndex(
  h: Harness,
  photo: string,
  externalImageId: string,
  overrides: Partial<IndexFacesJob> = {},
  backoff?: BackoffOptions,
) {
  const jobId = uniqueName("index");
  const target = { redis, queue: h.index, prefix: h.prefix, bucket };
  return enqueueIndexJob(
    target,
    facePhoto(photo),
    { jobId, externalImageId, objectKey: `selfies/${externalImageId}/${jobId}.jpg`, ...overrides },
    backoff,
  );
}

async function submitDelete(
  h: Harness,
  externalImageId: string,
  deleteImage = false,
  backoff: BackoffOptions = { type: "fixed", delay: 10 },
) {
  const jobId = uniqueName("delete");
  const job: DeleteFacesJob = {
    requestId: jobId,
    tenant: DEFAULT_TENANT,
    subject: "test-user",
    bucket,
    externalImageId,
    deleteImage,
  };
  await h.remove.add("delete-faces", job, { ...JOBS.delete.jobOptions, jobId, backoff });
  return { jobId, job };
}

async function submitSearch(h: Harness, photo: string, overrides: Partial<SearchFacesJob> = {}) {
  const jobId = uniqueName("search");
  const imageKey = searchImageRedisKey(jobId, h.prefix);
  await redis.set(imageKey, facePhoto(photo), "EX", 120);
  const job: SearchFacesJob = {
    requestId: jobId,
    tenant: DEFAULT_TENANT,
    subject: "test-user",
    imageKey,
    contentType: "image/jpeg",
    threshold: 80,
    maxMatches: 10,
    ...overrides,
  };
  await h.search.add("search-faces", job, { ...JOBS.search.jobOptions, jobId, backoff: { type: "fixed", delay: 10 } });
  return { jobId, job };
}

async function indexed(h: Harness, photo: string, externalImageId: string, overrides: Partial<IndexFacesJob> = {}) {
  const { jobId, job } = await submitIndex(h, photo, externalImageId, overrides);
  const { outcome } = await finished(h.index, jobId);
  return { outcome, job };
}

/** Every face Rekognition holds in the harness's collection. */
async function facesStillIndexed(h: Harness): Promise<{ faceId: string; externalImageId: string }[]> {
  return (await createFaceCollection(rekognition).listFaces(h.collectionId)).faces;
}

/** Delays the next call of an operation (the fault registry's latency knob, no error). */
function injectLatency(operation: string, latencyMs: number): Promise<void> {
  return injectFault(parts.rekognitionUrl, { operation, count: 1, latencyMs });
}

describe("gallery mapping on index", () => {
  it("records the face under (bucket, external id) and the face's details, and tags the S3 object", async () => {
    const h = await startHarness();
    const { outcome, job } = await indexed(h, "same/obama_1.jpg", "user-obama");

    expect(outcome.status).toBe("indexed");
    const faceId: string = outcome.data.face_id;
    expect(await redis.hgetall(externalIdKey(h.prefix, h.collectionId, bucket, "user-obama"))).toEqual({
      [faceId]: job.objectKey,
    });
    expect(JSON.parse((await redis.hget(facesKey(h.prefix, h.collectionId), faceId))!)).toEqual({
      bucket,
      image_key: job.objectKey,
      external_image_id: "user-obama",
    });
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: job.objectKey }));
    expect(head.Metadata).toEqual({ "external-image-id": "user-obama" });
    expect(await redis.exists(externalIdLockKey(h.prefix, h.collectionId, bucket, "user-obama"))).toBe(0);
  });

  it("dedupe reject: answers duplicate with the other person's id and indexes nothing", async () => {
    const h = await startHarness();
    const first = await indexed(h, "same/obama_1.jpg", "user-a");

    const second = await indexed(h, "same/obama_2.jpg", "user-b", { dedupe: "reject" });

    expect(second.outcome).toMatchObject({
      status: "duplicate",
      duplicates: [
        { face_id: first.outcome.data.face_id, external_image_id: "user-a", bucket, image_key: first.job.objectKey },
      ],
    });
    expect(second.outcome.duplicates[0].similarity).toBeGreaterThanOrEqual(90);
    expect((await facesStillIndexed(h)).map((face) => face.externalImageId)).toEqual(["user-a"]);
    expect(await redis.exists(externalIdKey(h.prefix, h.collectionId, bucket, "user-b"))).toBe(0);
  });
});

describe("search-faces processor", () => {
  it("finds the indexed face with its bucket and key, and leaves no trace of the probe", async () => {
    const h = await startHarness();
    const enrolled = await indexed(h, "same/obama_1.jpg", "user-obama");
    await indexed(h, "same/biden_1.jpg", "user-biden");
    const objectsBefore = (await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount;

    const { jobId, job } = await submitSearch(h, "same/obama_3.jpg");
    const { outcome } = await finished(h.search, jobId);

    expect(outcome.status).toBe("searched");
    expect(outcome.data.matches).toEqual([
      {
        face_id: enrolled.outcome.data.face_id,
        external_image_id: "user-obama",
        similarity: expect.any(Number),
        bucket,
        image_key: enrolled.job.objectKey,
      },
    ]);
    expect(outcome.data.searched_face.confidence).toBeGreaterThan(50);
    expect(outcome.data.searched_face.bounding_box.width).toBeGreaterThan(0);
    expect(await keyGone(redis, job.imageKey)).toBe(true);
    expect((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount).toBe(objectsBefore);
  });

  it("pauses the search queue on SearchFacesByImage throttling and answers without spending an attempt", async () => {
    const h = await startHarness();
    const enrolled = await indexed(h, "same/obama_1.jpg", "user-obama");
    await injectFault(parts.rekognitionUrl, {
      operation: "SearchFacesByImage",
      count: 1,
      code: "ThrottlingException",
      status: 400,
    });
    const { jobId } = await submitSearch(h, "same/obama_2.jpg");
    const { outcome, attemptsMade } = await finished(h.search, jobId);
    expect(outcome.status).toBe("searched");
    expect(outcome.data.matches.map((match: { face_id: string }) => match.face_id)).toEqual([
      enrolled.outcome.data.face_id,
    ]);
    expect(attemptsMade).toBe(1);
  });

  it("answers no_face for a probe without a face", async () => {
    const h = await startHarness();
    const { jobId, job } = await submitSearch(h, "noface/gradient.jpg");
    const { outcome, attemptsMade } = await finished(h.search, jobId);
    expect(attemptsMade).toBe(1);
    expect(outcome).toEqual({ status: "no_face", message: expect.stringMatching(/no face/i) });
    expect(await keyGone(redis, job.imageKey)).toBe(true);
  });
});

describe("delete-faces processor", () => {
  it("deletes every face of the external id, its images when asked, and its mapping entries", async () => {
    const h = await startHarness();
    const first = await indexed(h, "same/biden_1.jpg", "user-biden");
    const second = await indexed(h, "same/biden_2.jpg", "user-biden");
    const kept = await indexed(h, "same/obama_1.jpg", "user-obama");
    const biden = [first.outcome.data.face_id, second.outcome.data.face_id];

    const { jobId } = await submitDelete(h, "user-biden", true);
    const { outcome } = await finished(h.remove, jobId);

    expect(outcome.status).toBe("deleted");
    expect([...outcome.data.deleted_face_ids].sort()).toEqual([...biden].sort());
    expect([...outcome.data.deleted_image_keys].sort()).toEqual([first.job.objectKey, second.job.objectKey].sort());
    expect(outcome.data).toMatchObject({
      unsuccessful_face_deletions: [],
      external_image_id: "user-biden",
      bucket,
      faces_with_unknown_image: 0,
    });
    expect((await facesStillIndexed(h)).map((face) => face.faceId)).toEqual([kept.outcome.data.face_id]);
    expect(await redis.exists(externalIdKey(h.prefix, h.collectionId, bucket, "user-biden"))).toBe(0);
    expect(await redis.hkeys(facesKey(h.prefix, h.collectionId))).toEqual([kept.outcome.data.face_id]);
    await expect(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: first.job.objectKey }))).rejects.toMatchObject({
      name: "NotFound",
    });
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: kept.job.objectKey }));
  });

  it("answers not_found for an external id with no face", async () => {
    const h = await startHarness();
    const { jobId } = await submitDelete(h, "nobody-here");
    const { outcome, attemptsMade } = await finished(h.remove, jobId);
    expect(attemptsMade).toBe(1);
    expect(outcome).toEqual({ status: "not_found", message: expect.stringContaining("nobody-here") });
  });

  it("pauses the delete queue on DeleteFaces throttling and succeeds without spending an attempt", async () => {
    const h = await startHarness();
    await indexed(h, "same/A000371_1.jpg", "user-a371");
    await injectFault(parts.rekognitionUrl, {
      operation: "DeleteFaces",
      count: 1,
      code: "ThrottlingException",
      status: 400,
    });
    const { jobId } = await submitDelete(h, "user-a371");
    const { outcome, attemptsMade } = await finished(h.remove, jobId);
    expect(outcome.status).toBe("deleted");
    expect(attemptsMade).toBe(1); // the throttle put the job back (shared rate limit) instead of failing an attempt
    expect(await facesStillIndexed(h)).toEqual([]);
  });

  it("re-runs a delete whose worker died mid-job once its lock lapses", async () => {
    const h = await startHarness({ lockDurationMs: 1_000, stalledIntervalMs: 500, deferGalleryWorkers: true });
    await indexed(h, "same/B001230_1.jpg", "user-orphan");
    // A worker takes the job and dies without finishing it (its lock is never renewed).
    const { jobId } = await submitDelete(h, "user-orphan");
    const dying = new Worker(h.remove.name, undefined, {
      connection: redis,
      prefix: h.prefix,
      lockDuration: 1_000,
      autorun: false,
    });
    const taken = await dying.getNextJob("token-of-a-killed-worker");
    await dying.close();
    h.startGalleryWorkers();

    const { outcome } = await finished(h.remove, jobId);

    expect(taken?.id).toBe(jobId);
    expect(outcome.status).toBe("deleted");
    expect(await facesStillIndexed(h)).toEqual([]);
  });

  it("a delete re-run after its worker died past DeleteFaces still deletes the images and the mapping", async () => {
    const h = await startHarness({ lockDurationMs: 1_000, stalledIntervalMs: 500, deferGalleryWorkers: true });
    const enrolled = await indexed(h, "same/B001230_2.jpg", "user-half");
    const faceId: string = enrolled.outcome.data.face_id;
    const { jobId } = await submitDelete(h, "user-half", true);
    // A worker takes the job, gets as far as DeleteFaces, and dies before the S3 delete and the mapping update.
    const dying = new Worker(h.remove.name, undefined, {
      connection: redis,
      prefix: h.prefix,
      lockDuration: 1_000,
      autorun: false,
    });
    expect((await dying.getNextJob("token-of-a-killed-worker"))?.id).toBe(jobId);
    await createFaceCollection(rekognition).deleteFaces(h.collectionId, [faceId]);
    await dying.close();
    h.startGalleryWorkers();

    const { outcome, attemptsMade } = await finished(h.remove, jobId);

    expect(attemptsMade).toBe(1); // a stalled re-run spends no attempt: "attempt > 1" cannot tell it ran before
    expect(outcome).toMatchObject({
      status: "deleted",
      data: { deleted_face_ids: [faceId], deleted_image_keys: [enrolled.job.objectKey] },
    });
    await expect(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: enrolled.job.objectKey }))).rejects.toMatchObject(
      { name: "NotFound" },
    );
    expect(await redis.exists(externalIdKey(h.prefix, h.collectionId, bucket, "user-half"))).toBe(0);
  });
});

describe("per-(bucket, external id) lock", () => {
  it("refuses a second holder, and a holder whose lock lapsed never frees the next one's", async () => {
    // 30 s: nothing here may lapse on its own while the test runs.
    const ttlMs = 30_000;
    const lock = createExternalIdLock({ redis, prefix: `{${uniqueName("lock")}}`, collectionId: "c1", ttlMs });
    let inside = false;
    await lock.withLock("b1", "person-1", async () => {
      inside = true;
      await expect(lock.withLock("b1", "person-1", async () => "never")).rejects.toBeInstanceOf(LockBusyError);
      // Other people are not blocked.
      expect(await lock.withLock("b1", "person-2", async () => "ok")).toBe("ok");
    });
    expect(inside).toBe(true);

    const prefix = `{${uniqueName("lock")}}`;
    const key = externalIdLockKey(prefix, "c1", "b1", "person-1");
    const lapsing = createExternalIdLock({ redis, prefix, collectionId: "c1", ttlMs });
    await lapsing.withLock("b1", "person-1", async () => {
      await redis.set(key, "someone-else", "PX", 5_000); // as if ours expired and another worker took it
    });
    expect(await redis.get(key)).toBe("someone-else");
    await redis.del(key);
  });

  it("a delete waits without spending attempts while the person's lock is held past its backoff budget, then deletes", async () => {
    const h = await startHarness();
    await indexed(h, "same/B001230_1.jpg", "user-held");
    const key = externalIdLockKey(h.prefix, h.collectionId, bucket, "user-held");
    await redis.set(key, "held-by-test", "PX", 30_000);

    // 10 ms backoff: spending attempts, all five would be gone in well under a second.
    const { jobId } = await submitDelete(h, "user-held", false, { type: "fixed", delay: 10 });
    const attempts = JOBS.delete.jobOptions.attempts!;
    // Held until the job has been started more often than it has attempts (or, before the fix, gave up).
    let job = await h.remove.getJob(jobId);
    while (job && !job.finishedOn && job.attemptsStarted <= attempts) {
      await sleep(20);
      job = await h.remove.getJob(jobId);
    }
    await redis.del(key);
    const { outcome, attemptsMade, attemptsStarted } = await finished(h.remove, jobId);

    expect(outcome.status).toBe("deleted");
    expect(attemptsMade).toBe(1);
    expect(attemptsStarted).toBeGreaterThan(attempts);
    expect(await facesStillIndexed(h)).toEqual([]);
  });

  it("a delete still ends with a retryable outcome when the lock outlasts the wait", async () => {
    const h = await startHarness({ maxLockWaitMs: 300 });
    const key = externalIdLockKey(h.prefix, h.collectionId, bucket, "user-stuck");
    await redis.set(key, "held-by-test", "PX", 30_000);

    const { jobId } = await submitDelete(h, "user-stuck");
    const { outcome, attemptsMade, attemptsStarted } = await finished(h.remove, jobId);
    await redis.del(key);

    expect(outcome).toMatchObject({ status: "failed", code: "LockBusyError", retryable: true });
    expect(attemptsMade).toBe(JOBS.delete.jobOptions.attempts);
    expect(attemptsStarted).toBeGreaterThan(attemptsMade); // it waited before spending attempts
  });

  it("concurrent index and delete of one external id leave no face behind and no stale mapping", async () => {
    const h = await startHarness();
    // IndexFaces is slowed so the delete arrives while the index job is inside the lock.
    await injectLatency("IndexFaces", 1_000);
    const index = await submitIndex(h, "same/obama_2.jpg", "user-race");
    while ((await h.index.getJob(index.jobId))?.processedOn === undefined) await sleep(20);
    const remove = await submitDelete(h, "user-race", true, { type: "exponential", delay: 500 });

    const [indexedJob, deletedJob] = await Promise.all([
      finished(h.index, index.jobId),
      finished(h.remove, remove.jobId),
    ]);

    expect(indexedJob.outcome.status).toBe("indexed");
    expect(deletedJob.attemptsStarted).toBeGreaterThan(1); // it met the lock and was put back...
    expect(deletedJob.attemptsMade).toBe(1); // ...without spending an attempt
    expect(deletedJob.outcome.status).toBe("deleted");
    expect(deletedJob.outcome.data.deleted_face_ids).toEqual([indexedJob.outcome.data.face_id]);
    expect(await facesStillIndexed(h)).toEqual([]);
    expect(await redis.exists(externalIdKey(h.prefix, h.collectionId, bucket, "user-race"))).toBe(0);
    expect(await redis.hlen(facesKey(h.prefix, h.collectionId))).toBe(0);
  });
});

describe("gallery rebuild", () => {
  it("rebuilds the same mapping from ListFaces and the objects' metadata", async () => {
    const h = await startHarness();
    await indexed(h, "same/obama_1.jpg", "user-1");
    await indexed(h, "same/biden_1.jpg", "user-2");
    await indexed(h, "group/whitehouse_obama_biden.jpg", "user-3", { maxFaces: 2 });
    const keys = [
      externalIdKey(h.prefix, h.collectionId, bucket, "user-1"),
      externalIdKey(h.prefix, h.collectionId, bucket, "user-2"),
      externalIdKey(h.prefix, h.collectionId, bucket, "user-3"),
      facesKey(h.prefix, h.collectionId),
    ];
    const before = await Promise.all(keys.map((key) => redis.hgetall(key)));
    await redis.del(...keys);

    const summary = await rebuildGallery({
      faceCollection: createFaceCollection(rekognition),
      gallery: createGalleryMap(redis, h.prefix, h.collectionId),
      // The shared test bucket holds other tests' objects too; only this test's external ids matter.
      findOwners: (name) => findImageOwners(s3, name),
      collectionId: h.collectionId,
      buckets: [bucket],
    });

    expect(summary).toEqual({ faces: 4, external_ids: 3, faces_with_unknown_image: 0, skipped: 0 });
    expect(await Promise.all(keys.map((key) => redis.hgetall(key)))).toEqual(before);
  });

  it("keeps the image keys the mapping already knows for an external id with several images", async () => {
    const h = await startHarness();
    const first = await indexed(h, "same/biden_1.jpg", "user-twice");
    const second = await indexed(h, "same/biden_2.jpg", "user-twice");
    const key = externalIdKey(h.prefix, h.collectionId, bucket, "user-twice");
    const before = await redis.hgetall(key);
    expect(before).toEqual({
      [first.outcome.data.face_id]: first.job.objectKey,
      [second.outcome.data.face_id]: second.job.objectKey,
    });

    // A rebuild while the mapping is intact ("only adds entries, safe while workers run").
    await rebuildGallery({
      faceCollection: createFaceCollection(rekognition),
      gallery: createGalleryMap(redis, h.prefix, h.collectionId),
      findOwners: (name) => findImageOwners(s3, name),
      collectionId: h.collectionId,
      buckets: [bucket],
    });

    // Two objects carry the id, so the rebuild alone cannot tell which is whose; the exact keys must survive.
    expect(await redis.hgetall(key)).toEqual(before);
  });
});
