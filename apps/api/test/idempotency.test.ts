/**
 * Replays through a real Redis queue: the same request sent again (a client retry after a timeout)
 * attaches to the job already running or gets its stored outcome, and is processed once.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, inject, it } from "vitest";
import { externalIdKey, facesKey, type FaceMatch } from "@faceindex/contracts";
import { facePhoto } from "@faceindex/testing";
import { createHarness, getJob, obamaJpeg, postJson, validBody, type Harness } from "./support/harness.ts";
import { indexedOutcome } from "./support/outcomes.ts";

const redisUrl = inject("redisUrl");
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const post = (h: Harness, body: unknown, headers: Record<string, string> = {}, subject?: string) =>
  postJson(h.app, "/index_faces", body, { headers, ...(subject === undefined ? {} : { subject }) });

/** A worker that counts its runs and takes `delayMs`, long enough for replays to arrive mid-job. */
async function countingWorker(h: Harness, delayMs: number) {
  const runs: string[] = [];
  await h.startWorker(async (job) => {
    runs.push(job.id ?? "");
    await sleep(delayMs);
    return indexedOutcome(job);
  });
  return runs;
}

describe("Idempotency-Key", () => {
  it("attaches replays to the running job and answers all of them with one outcome", async () => {
    const h = (harness = await createHarness(redisUrl));
    const runs = await countingWorker(h, 300);
    const key = { "idempotency-key": "order-7f3a-retry-safe" };

    const responses = await Promise.all([post(h, validBody(), key), sleep(50).then(() => post(h, validBody(), key))]);
    const later = await post(h, validBody(), key);

    for (const response of [...responses, later]) expect(response.statusCode).toBe(200);
    expect(new Set([...responses, later].map((r) => r.json().data.face_id)).size).toBe(1);
    expect(new Set([...responses, later].map((r) => r.headers["x-job-id"])).size).toBe(1);
    expect(runs).toHaveLength(1);
  });

  it("refuses the same key with a different body (409 IDEMPOTENCY_KEY_REUSED)", async () => {
    const h = (harness = await createHarness(redisUrl));
    await countingWorker(h, 0);
    const key = { "idempotency-key": "order-8" };

    expect((await post(h, validBody(), key)).statusCode).toBe(200);
    const reused = await post(h, validBody({ external_image_id: "someone-else" }), key);

    expect(reused.statusCode).toBe(409);
    expect(reused.json()).toMatchObject({
      code: "IDEMPOTENCY_KEY_REUSED",
      msg: expect.stringMatching(/Idempotency-Key/),
    });
    // The refused request has no job: GET /jobs must not answer it with the other request's outcome.
    expect((await getJob(h.app, reused.headers["x-request-id"] as string)).statusCode).toBe(404);
  });

  it("never lets a racing request that reuses a key with another image replace the first one's bytes", async () => {
    const h = (harness = await createHarness(redisUrl));
    const parkedBytes: Buffer[] = [];
    await h.startWorker(async (job) => {
      parkedBytes.push((await h.commands.getBuffer(job.data.imageKey))!);
      await sleep(200);
      return indexedOutcome(job);
    });
    const key = { "idempotency-key": "order-race-1" };
    const biden = facePhoto("same/biden_1.jpg");

    const [first, second] = await Promise.all([
      post(h, validBody(), key),
      post(h, validBody({ image: biden.toString("base64") }), key),
    ]);

    // One request owns the job; the other is refused, and the job indexes the owner's image.
    expect([first.statusCode, second.statusCode].sort()).toEqual([200, 409]);
    const ownerImage = first.statusCode === 200 ? obamaJpeg : biden;
    expect(parkedBytes).toHaveLength(1);
    expect(parkedBytes[0]!.equals(ownerImage)).toBe(true);
  });

  it("scopes keys to the token's subject", async () => {
    const h = (harness = await createHarness(redisUrl));
    const runs = await countingWorker(h, 0);
    const key = { "idempotency-key": "shared-key-1" };

    const alice = await post(h, validBody(), key, "alice");
    const bob = await post(h, validBody({ external_image_id: "bob-1" }), key, "bob");

    expect([alice.statusCode, bob.statusCode]).toEqual([200, 200]);
    expect(alice.headers["x-job-id"]).not.toBe(bob.headers["x-job-id"]);
    expect(runs).toHaveLength(2);
  });

  it("refuses a malformed key with 400", async () => {
    const h = (harness = await createHarness(redisUrl));
    const response = await post(h, validBody(), { "idempotency-key": "has spaces in it" });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: "INVALID_IDEMPOTENCY_KEY" });
  });
});

describe("without Idempotency-Key", () => {
  it("treats the same subject, fields and image bytes as the same request", async () => {
    const h = (harness = await createHarness(redisUrl));
    const runs = await countingWorker(h, 200);

    const [first, replay] = await Promise.all([post(h, validBody()), post(h, validBody())]);
    const changed = await post(h, validBody({ max_faces: 2 }));
    const otherSubject = await post(h, validBody(), {}, "another-user");

    expect([first.statusCode, replay.statusCode, changed.statusCode, otherSubject.statusCode]).toEqual([
      200, 200, 200, 200,
    ]);
    expect(replay.headers["x-job-id"]).toBe(first.headers["x-job-id"]);
    expect(replay.headers["x-request-id"]).not.toBe(first.headers["x-request-id"]);
    expect(changed.headers["x-job-id"]).not.toBe(first.headers["x-job-id"]);
    expect(otherSubject.headers["x-job-id"]).not.toBe(first.headers["x-job-id"]);
    expect(runs).toHaveLength(3);
  });

  it("starts afresh when the stored outcome was a retryable failure", async () => {
    const h = (harness = await createHarness(redisUrl));
    let calls = 0;
    await h.startWorker(async (job) => {
      calls += 1;
      if (calls === 1)
        return { status: "failed", code: "ThrottlingException", message: "Rate exceeded", retryable: true };
      return indexedOutcome(job);
    });

    const first = await post(h, validBody());
    const retry = await post(h, validBody());

    // A transient failure that outlived its attempts is a retryable 503 (issue 10), and the retry runs afresh.
    expect(first.statusCode).toBe(503);
    expect(first.json()).toMatchObject({ retryable: true });
    expect(retry.statusCode).toBe(200);
    expect(retry.headers["x-job-id"]).toBe(first.headers["x-job-id"]);
    expect(calls).toBe(2);
  });

  it("indexes again once the stored outcome's face was erased, instead of answering a face that is gone", async () => {
    const h = (harness = await createHarness(redisUrl));
    const runs: string[] = [];
    const mappingKey = externalIdKey(h.prefix, "test-collection", "kyc-faces", "customer-42");
    await h.startWorker(async (job) => {
      runs.push(job.id ?? "");
      const outcome = indexedOutcome(job);
      if (outcome.status !== "indexed") throw new Error("unexpected");
      const faceId = `face-run-${runs.length}`;
      // As the real worker does: record the face in the gallery mapping that deletes erase it from.
      await h.commands.hset(mappingKey, faceId, job.data.objectKey);
      return { ...outcome, data: { ...outcome.data, face_id: faceId } };
    });

    const first = await post(h, validBody());
    const replay = await post(h, validBody());
    await h.commands.hdel(mappingKey, first.json().data.face_id); // delete_faces_from_collection
    const reEnrolled = await post(h, validBody());

    expect([first.statusCode, replay.statusCode, reEnrolled.statusCode]).toEqual([200, 200, 200]);
    expect(replay.json().data.face_id).toBe(first.json().data.face_id);
    expect(reEnrolled.json().data.face_id).not.toBe(first.json().data.face_id);
    expect(await h.commands.hexists(mappingKey, reEnrolled.json().data.face_id)).toBe(1);
    expect(runs).toHaveLength(2);
  });

  it("checks again once the faces a stored duplicate outcome named were erased, instead of refusing a face that is gone", async () => {
    const h = (harness = await createHarness(redisUrl));
    const runs: string[] = [];
    const gallery = facesKey(h.prefix, "test-collection");
    const other: FaceMatch = {
      face_id: "face-of-customer-7",
      external_image_id: "customer-7",
      similarity: 97.5,
      bucket: "kyc-faces",
      image_key: "customers/7/selfie.jpg",
    };
    const { face_id: _, similarity: __, ...record } = other;
    await h.commands.hset(gallery, other.face_id, JSON.stringify(record));
    await h.startWorker(async (job) => {
      runs.push(job.id ?? "");
      // As the real worker does with dedupe "reject": another external id's face in the gallery refuses the enrolment.
      const found = await h.commands.hexists(gallery, other.face_id);
      return found ? { status: "duplicate", message: "already enrolled", duplicates: [other] } : indexedOutcome(job);
    });
    const body = validBody({ dedupe: "reject" });

    const first = await post(h, body);
    const replay = await post(h, body);
    await h.commands.hdel(gallery, other.face_id); // delete_faces_from_collection of customer-7
    const afterErasure = await post(h, body);

    expect([first.statusCode, replay.statusCode, afterErasure.statusCode]).toEqual([409, 409, 200]);
    expect(first.json()).toMatchObject({ code: "DUPLICATE_FACE", duplicates: [other] });
    expect(replay.json()).toEqual(first.json());
    expect(afterErasure.headers["x-job-id"]).toBe(first.headers["x-job-id"]);
    expect(runs).toHaveLength(2);
  });
});
