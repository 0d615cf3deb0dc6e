/**
 * Tenancy, image-key ownership, complete erasure and the audit trail, end to end through the workers of
 * every kind against the real parts: Redis, the local S3 and the local Rekognition server (neural engine)
 * over HTTP with the official SDK. Two tenants share one bucket here on purpose: the hardest case for
 * keys (the API also keeps tenants to their own buckets).
 */
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { Queue } from "bullmq";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { readAudit } from "@faceindex/audit";
import {
  imageRedisKey,
  JOBS,
  searchImageRedisKey,
  type DeleteFacesJob,
  type IndexFacesJob,
  type JobKind,
  type SearchFacesJob,
} from "@faceindex/contracts";
import { facePhoto, uniqueName } from "@faceindex/testing";
import { createObjectClaims, objectClaimKey } from "../src/adapters/redis/object-claims.ts";
import { createStoredObjects } from "../src/adapters/redis/stored-objects.ts";
import { createFaceCollection } from "../src/adapters/rekognition/face-collection.ts";
import { createFaceDetector } from "../src/adapters/rekognition/face-detector.ts";
import { createFaceIndex } from "../src/adapters/rekognition/face-index.ts";
import { createImageStore } from "../src/adapters/s3/image-store.ts";
import { createWorkers, type Workers } from "../src/workers.ts";
import { startLocalParts, waitForJob, type LocalParts } from "./helpers.ts";

let parts: LocalParts;
let workers: Workers;
let queues: Record<JobKind, Queue>;
const prefix = `{${uniqueName("tenancy")}}`;
const base = uniqueName("faces");
/** Each tenant's collection, as the API names it; neither exists before its first job. */
const ACME = { tenant: "acme", collectionId: `${base}-acme` };
const GLOBEX = { tenant: "globex", collectionId: `${base}-globex` };
type Tenant = typeof ACME;

beforeAll(async () => {
  parts = await startLocalParts("tenancy", inject("redisUrl"), { mode: "neural", threads: 1, log: () => {} });
  workers = createWorkers({
    redis: parts.redis,
    imageStore: createImageStore(parts.s3),
    faceIndex: createFaceIndex(parts.rekognition),
    faceCollection: createFaceCollection(parts.rekognition),
    faceDetector: createFaceDetector(parts.rekognition),
    collectionId: `${base}-fallback`,
    logger: pino({ level: "silent" }),
    // Two jobs at once, so two enrolments racing for one key really run side by side.
    concurrency: 2,
    prefix,
  });
  const queue = (kind: JobKind) => new Queue(JOBS[kind].queueName, { connection: parts.redis, prefix });
  queues = { index: queue("index"), delete: queue("delete"), search: queue("search") };
});

afterAll(async () => {
  await workers?.close();
  for (const queue of Object.values(queues ?? {})) {
    await queue.obliterate({ force: true });
    await queue.close();
  }
  const keys = (await parts?.redis.keys(`${prefix}*`)) ?? [];
  if (keys.length > 0) await parts.redis.del(...keys);
  await parts?.close();
});

const backoff = { type: "fixed", delay: 10 } as const;

async function submitIndex(
  who: Tenant,
  photo: string,
  externalImageId: string,
  overrides: Partial<IndexFacesJob> = {},
) {
  const jobId = uniqueName("index");
  const imageKey = imageRedisKey(jobId, prefix);
  await parts.redis.set(imageKey, facePhoto(photo), "EX", 120);
  const job: IndexFacesJob = {
    ...who,
    requestId: jobId,
    subject: `${who.tenant}-caller`,
    imageKey,
    contentType: "image/jpeg",
    bucket: parts.bucket,
    objectKey: `selfies/${externalImageId}/${jobId}.jpg`,
    externalImageId,
    maxFaces: 1,
    qualityFilter: "AUTO",
    ...overrides,
  };
  await queues.index.add("index-faces", job, { ...JOBS.index.jobOptions, jobId, backoff });
  return { jobId, job };
}

async function index(who: Tenant, photo: string, externalImageId: string, overrides: Partial<IndexFacesJob> = {}) {
  const { jobId, job } = await submitIndex(who, photo, externalImageId, overrides);
  return { outcome: (await waitForJob(queues.index, jobId)).outcome, job, jobId };
}

async function search(who: Tenant, photo: string) {
  const jobId = uniqueName("search");
  const imageKey = searchImageRedisKey(jobId, prefix);
  await parts.redis.set(imageKey, facePhoto(photo), "EX", 120);
  const job: SearchFacesJob = {
    ...who,
    requestId: jobId,
    subject: `${who.tenant}-caller`,
    imageKey,
    contentType: "image/jpeg",
    threshold: 80,
    maxMatches: 10,
  };
  await queues.search.add("search-faces", job, { ...JOBS.search.jobOptions, jobId, backoff });
  return (await waitForJob(queues.search, jobId)).outcome;
}

async function erase(who: Tenant, externalImageId: string, deleteImage: boolean) {
  const jobId = uniqueName("delete");
  const job: DeleteFacesJob = {
    ...who,
    requestId: jobId,
    subject: `${who.tenant}-caller`,
    bucket: parts.bucket,
    externalImageId,
    deleteImage,
  };
  await queues.delete.add("delete-faces", job, { ...JOBS.delete.jobOptions, jobId, backoff });
  return (await waitForJob(queues.delete, jobId)).outcome;
}

const head = (key: string) => parts.s3.send(new HeadObjectCommand({ Bucket: parts.bucket, Key: key }));
const faceIdsIn = async (who: Tenant) =>
  (await createFaceCollection(parts.rekognition).listFaces(who.collectionId)).faces.map((face) => face.externalImageId);
const trail = async (who: Tenant, externalImageId?: string) =>
  (await readAudit(parts.redis, { prefix, tenant: who.tenant }, { externalImageId, limit: 100 })).entries;

describe("two tenants", () => {
  it("index, dedupe, search and delete of one never see the other's faces", async () => {
    const a = await index(ACME, "same/obama_1.jpg", "acme-obama");
    expect(a.outcome).toMatchObject({ status: "indexed", data: { collection_id: ACME.collectionId } });

    // The same face in the other tenant is no duplicate there: its collection holds none of acme's faces.
    const g = await index(GLOBEX, "same/obama_2.jpg", "globex-obama", { dedupe: "reject" });
    expect(g.outcome).toMatchObject({ status: "indexed", data: { collection_id: GLOBEX.collectionId } });

    // Within acme, the 409 list names acme's own id only.
    const dup = await index(ACME, "same/obama_3.jpg", "acme-other", { dedupe: "reject" });
    expect(dup.outcome.status).toBe("duplicate");
    expect(dup.outcome.duplicates.map((m: { external_image_id: string }) => m.external_image_id)).toEqual([
      "acme-obama",
    ]);

    const acmeSearch = await search(ACME, "same/obama_3.jpg");
    const globexSearch = await search(GLOBEX, "same/obama_3.jpg");
    expect(acmeSearch.data.matches.map((m: { external_image_id: string }) => m.external_image_id)).toEqual([
      "acme-obama",
    ]);
    expect(globexSearch.data.matches.map((m: { external_image_id: string }) => m.external_image_id)).toEqual([
      "globex-obama",
    ]);

    // globex erasing acme's id finds nothing of it, and acme's face and image stay.
    expect(await erase(GLOBEX, "acme-obama", true)).toMatchObject({ status: "not_found" });
    expect(await faceIdsIn(ACME)).toEqual(["acme-obama"]);
    await head(a.job.objectKey);

    // Each audit trail lists its own tenant's work only.
    const acmeSearches = await trail(ACME);
    const globexSearches = await trail(GLOBEX);
    expect(acmeSearches).toHaveLength(1);
    expect(globexSearches).toHaveLength(1);
    expect(acmeSearches[0]).toMatchObject({ subject: "acme-caller", matched_external_ids: ["acme-obama"] });
    expect(globexSearches[0]).toMatchObject({ subject: "globex-caller", matched_external_ids: ["globex-obama"] });
    expect((await trail(GLOBEX, "acme-obama")).map((e) => e.action)).toEqual(["erase"]);
    expect((await trail(ACME, "acme-obama")).map((e) => e.action)).toEqual(["search", "refuse", "enrol"]);
  });
});

describe("image keys", () => {
  it("refuses a key holding another external id's image with IMAGE_KEY_TAKEN and leaves the object as it was", async () => {
    const key = `selfies/${uniqueName("taken")}.jpg`;
    const owner = await index(ACME, "same/biden_1.jpg", "acme-biden", { objectKey: key });
    expect(owner.outcome.status).toBe("indexed");
    const before = await head(key);

    const sameTenant = await index(ACME, "same/obama_1.jpg", "acme-intruder", { objectKey: key });
    const otherTenant = await index(GLOBEX, "same/obama_1.jpg", "acme-biden", { objectKey: key });
    for (const { outcome } of [sameTenant, otherTenant]) {
      expect(outcome).toEqual({
        status: "failed",
        code: "IMAGE_KEY_TAKEN",
        message: expect.stringContaining(key),
        retryable: false,
      });
    }
    const after = await head(key);
    expect(after.ETag).toBe(before.ETag);
    expect(after.Metadata).toEqual({ "external-image-id": "acme-biden", "faceindex-tenant": "acme" });
    expect(await faceIdsIn(GLOBEX)).not.toContain("acme-biden");

    // The owner may re-enrol on the same key with a new selfie.
    const again = await index(ACME, "same/biden_2.jpg", "acme-biden", { objectKey: key });
    expect(again.outcome.status).toBe("indexed");
    expect((await head(key)).ETag).not.toBe(before.ETag);
    expect((await trail(ACME, "acme-intruder"))[0]).toMatchObject({
      action: "refuse",
      object_keys: [key],
      outcome: { status: "failed", code: "IMAGE_KEY_TAKEN" },
    });
  });

  it("checks objects stored without a claim in the conditional PUT itself: another's is kept, the person's replaced", async () => {
    // Written straight to S3, as before claims existed: no claim in Redis names these keys.
    const foreignKey = `selfies/${uniqueName("unclaimed")}.jpg`;
    const ownKey = `selfies/${uniqueName("unclaimed")}.jpg`;
    const legacy = (key: string, externalImageId: string) =>
      parts.s3.send(
        new PutObjectCommand({
          Bucket: parts.bucket,
          Key: key,
          Body: facePhoto("same/biden_1.jpg"),
          ContentType: "image/jpeg",
          Metadata: { "external-image-id": externalImageId, "faceindex-tenant": "acme" },
        }),
      );
    await legacy(foreignKey, "acme-legacy-owner");
    await legacy(ownKey, "acme-returning");
    const before = await head(foreignKey);

    const intruder = await index(ACME, "same/obama_1.jpg", "acme-newcomer", { objectKey: foreignKey });
    expect(intruder.outcome).toMatchObject({ status: "failed", code: "IMAGE_KEY_TAKEN" });
    expect((await head(foreignKey)).ETag).toBe(before.ETag);
    // The refused claim is released: the key stays the legacy owner's.
    expect(await parts.redis.get(objectClaimKey(prefix, parts.bucket, foreignKey))).toBeNull();

    const returning = await index(ACME, "same/obama_1.jpg", "acme-returning", { objectKey: ownKey });
    expect(returning.outcome.status).toBe("indexed");
    const replaced = await parts.s3.send(new GetObjectCommand({ Bucket: parts.bucket, Key: ownKey }));
    expect(Buffer.from(await replaced.Body!.transformToByteArray()).equals(facePhoto("same/obama_1.jpg"))).toBe(true);
  });

  it("lets exactly one of two different ids racing for a fresh key have it", async () => {
    for (let round = 0; round < 3; round++) {
      const key = `selfies/${uniqueName("race")}.jpg`;
      const [first, second] = await Promise.all([
        submitIndex(ACME, "same/A000371_1.jpg", `racer-1-${round}`, { objectKey: key }),
        submitIndex(ACME, "same/B001230_1.jpg", `racer-2-${round}`, { objectKey: key }),
      ]);
      const outcomes = [
        (await waitForJob(queues.index, first.jobId)).outcome,
        (await waitForJob(queues.index, second.jobId)).outcome,
      ];
      const winner = outcomes.findIndex((outcome) => outcome.status === "indexed");
      expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(["failed", "indexed"]);
      expect(outcomes[1 - winner]).toMatchObject({ code: "IMAGE_KEY_TAKEN" });
      expect((await head(key)).Metadata).toMatchObject({ "external-image-id": `racer-${winner + 1}-${round}` });
    }
  });

  it("claims a key for exactly one owner however many ask at once", async () => {
    const claims = createObjectClaims(parts.redis, prefix);
    const key = uniqueName("claim");
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        claims.claim(parts.bucket, key, { tenant: "acme", externalImageId: `p${i}` }),
      ),
    );
    expect(results.filter((result) => result === "claimed")).toHaveLength(1);
    expect(results.filter((result) => result === "taken")).toHaveLength(19);
  });
});

describe("complete erasure", () => {
  it("deletes every object stored for the person: no-face and refused uploads, every key, then answers not_found", async () => {
    const person = "acme-erased";
    const noFace = await index(ACME, "noface/gradient.jpg", person);
    expect(noFace.outcome.status).toBe("no_face");
    const one = await index(ACME, "same/B001230_1.jpg", person);
    const two = await index(ACME, "same/B001230_2.jpg", person);
    expect([one.outcome.status, two.outcome.status]).toEqual(["indexed", "indexed"]);
    const someoneElse = await index(ACME, "same/A000371_1.jpg", "acme-lookalike");
    const refused = await index(ACME, "same/A000371_2.jpg", person, { dedupe: "reject" });
    expect(refused.outcome.status).toBe("duplicate");
    const keys = [noFace, one, two, refused].map((r) => r.job.objectKey).sort();
    for (const key of keys) await head(key);

    // Without delete_image: faces go, the answer lists what is still stored.
    const facesOnly = await erase(ACME, person, false);
    expect(facesOnly.status).toBe("deleted");
    expect([...facesOnly.data.deleted_face_ids].sort()).toEqual(
      [one.outcome.data.face_id, two.outcome.data.face_id].sort(),
    );
    expect(facesOnly.data.remaining_image_keys).toEqual(keys);
    expect(await faceIdsIn(ACME)).not.toContain(person);

    // No face left, objects still there: erased with 200, not not_found.
    const images = await erase(ACME, person, true);
    expect(images).toMatchObject({ status: "deleted", data: { deleted_face_ids: [] } });
    expect([...images.data.deleted_image_keys].sort()).toEqual(keys);
    for (const key of keys) await expect(head(key)).rejects.toMatchObject({ name: "NotFound" });
    await head(someoneElse.job.objectKey);

    expect(await erase(ACME, person, true)).toMatchObject({ status: "not_found" });
    const actions = (await trail(ACME, person)).map((e) => [e.action, e.outcome.status]);
    expect(actions).toEqual([
      ["erase", "not_found"],
      ["erase", "deleted"],
      ["erase", "deleted"],
      ["refuse", "duplicate"],
      ["enrol", "indexed"],
      ["enrol", "indexed"],
      ["refuse", "no_face"],
    ]);
    const [, imagesEntry] = await trail(ACME, person);
    expect([...imagesEntry!.object_keys].sort()).toEqual(keys);
    expect(await trail(GLOBEX, person)).toEqual([]);
    // Names and ids only: no image bytes, no tokens.
    expect(JSON.stringify(await trail(ACME, person)).length).toBeLessThan(8_000);
  });

  it("never deletes a recorded key that another person's object holds now", async () => {
    // A worker recorded the key for acme-crashed, then died before its upload; its claim lapsed and
    // acme-later stored there: the state after the lapse is the record alone.
    const key = `selfies/${uniqueName("lapsed")}.jpg`;
    await createStoredObjects(parts.redis, prefix).remember(ACME.tenant, parts.bucket, "acme-crashed", key);
    const later = await index(ACME, "same/biden_1.jpg", "acme-later", { objectKey: key });
    expect(later.outcome.status).toBe("indexed");
    const before = await head(key);

    const erased = await erase(ACME, "acme-crashed", true);
    expect(erased).toMatchObject({ status: "deleted", data: { deleted_face_ids: [], deleted_image_keys: [] } });
    expect((await head(key)).ETag).toBe(before.ETag);
    expect(await parts.redis.exists(objectClaimKey(prefix, parts.bucket, key))).toBe(1);
  });
});
