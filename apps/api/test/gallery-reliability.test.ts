/**
 * The reliability of POST /delete_faces_from_collection and POST /search_faces, as index_faces has it:
 * a 504 that names what is still running and the job, GET /jobs/:request_id for their outcome,
 * Idempotency-Key on a retried erasure, back-pressure and a Redis outage answered 503 + Retry-After.
 * Real Redis and BullMQ; the workers are test workers returning chosen outcomes.
 */
import { Queue } from "bullmq";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { JOBS, type DeleteFacesJob, type DeleteFacesOutcome, type SearchFacesOutcome } from "@faceindex/contracts";
import { uniqueName } from "@faceindex/testing";
import { createGalleryHarness, type GalleryHarness } from "./support/gallery-harness.ts";
import { getJob, obamaJpeg, postJson } from "./support/harness.ts";
import { buildStubApp, stubLane } from "./support/stub-app.ts";
import { deadRedis } from "./support/dead-redis.ts";

const redisUrl = inject("redisUrl");
let gallery: GalleryHarness | undefined;
afterEach(async () => {
  await gallery?.close();
  gallery = undefined;
});

const DELETE = "/delete_faces_from_collection";
const erase = { bucket: "kyc-faces", external_image_id: "customer-42" };
const searched: SearchFacesOutcome = {
  status: "searched",
  data: {
    matches: [
      {
        face_id: "f-7",
        external_image_id: "customer-7",
        similarity: 97.5,
        bucket: "kyc-faces",
        image_key: "customers/7/selfie.jpg",
      },
    ],
    searched_face: { bounding_box: { width: 0.3, height: 0.4, left: 0.3, top: 0.2 }, confidence: 99.8 },
  },
};

/** A delete worker over an in-memory gallery: the first delete of a person finds faces, a later one none. */
function erasingWorker(enrolled: Set<string>, runs: DeleteFacesJob[]) {
  return async (job: { data: DeleteFacesJob }): Promise<DeleteFacesOutcome> => {
    runs.push(job.data);
    const { bucket, externalImageId } = job.data;
    if (!enrolled.delete(externalImageId)) {
      return {
        status: "not_found",
        message: `No face was found for external_image_id ${externalImageId} in bucket ${bucket}`,
      };
    }
    const data = {
      deleted_face_ids: [`face-of-${externalImageId}`],
      unsuccessful_face_deletions: [],
      external_image_id: externalImageId,
      bucket,
      collection_id: "faces",
    };
    return { status: "deleted", data };
  };
}

async function finishedJob(queue: Queue, jobId: string): Promise<void> {
  while (!(await queue.getJob(jobId))?.finishedOn) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe("a delete or search that outlasts the sync timeout", () => {
  it("answers 504 saying the faces are still being deleted, with the job id; GET /jobs then answers what the route would have", async () => {
    const h = (gallery = await createGalleryHarness(redisUrl, { syncTimeoutMs: 300 }));
    const timedOut = await postJson(h.app, DELETE, erase);

    expect(timedOut.statusCode).toBe(504);
    const body = timedOut.json();
    expect(body).toEqual({
      code: "TIMEOUT",
      msg: expect.stringMatching(/^The faces are still being deleted; the job was not lost/),
      request_id: timedOut.headers["x-request-id"],
      job_id: timedOut.headers["x-job-id"],
    });
    const pending = await getJob(h.app, body.request_id);
    expect(pending.statusCode).toBe(202);
    expect(pending.json()).toEqual({ status: "pending", job_id: body.job_id });

    const worker = await h.startDeleteWorker(erasingWorker(new Set(["customer-42"]), []));
    await new Promise<void>((resolve) => worker.once("completed", () => resolve()));
    const done = await getJob(h.app, body.request_id);
    const byJobId = await getJob(h.app, body.job_id);

    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({
      success: true,
      response: {
        deleted_face_ids: ["face-of-customer-42"],
        unsuccessful_face_deletions: [],
        external_image_id: "customer-42",
        bucket: "kyc-faces",
        collection_id: "faces",
      },
    });
    expect(byJobId.json()).toEqual(done.json());
    for (const response of [
      await getJob(h.app, body.request_id, "mallory"),
      await getJob(h.app, body.job_id, "mallory"),
    ]) {
      expect(response.statusCode).toBe(404);
    }
  });

  it("gives the same 400 through GET /jobs as the delete route gave", async () => {
    const h = (gallery = await createGalleryHarness(redisUrl));
    await h.startDeleteWorker(erasingWorker(new Set(), []));
    const answered = await postJson(h.app, DELETE, { bucket: "kyc-faces", external_image_id: "nobody" });

    const fetched = await getJob(h.app, answered.headers["x-request-id"] as string);

    expect(answered.statusCode).toBe(400);
    expect(fetched.statusCode).toBe(400);
    expect(fetched.json()).toEqual(answered.json());
    expect(fetched.json()).toMatchObject({ code: "FACE_NOT_FOUND" });
  });

  it("answers 504 saying the search is still running; GET /jobs then answers the search's 200", async () => {
    const h = (gallery = await createGalleryHarness(redisUrl, { syncTimeoutMs: 300 }));
    const timedOut = await postJson(h.app, "/search_faces", { image: obamaJpeg.toString("base64") });

    expect(timedOut.statusCode).toBe(504);
    expect(timedOut.json()).toMatchObject({
      code: "TIMEOUT",
      msg: expect.stringMatching(/^The search is still running/),
      job_id: timedOut.headers["x-job-id"],
    });
    expect((await getJob(h.app, timedOut.json().request_id)).statusCode).toBe(202);

    const worker = await h.startSearchWorker(async () => searched);
    await new Promise<void>((resolve) => worker.once("completed", () => resolve()));
    const done = await getJob(h.app, timedOut.json().request_id);

    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({ success: true, data: searched.data });
    expect((await getJob(h.app, timedOut.json().job_id, "mallory")).statusCode).toBe(404);
  });
});

describe("Idempotency-Key on delete_faces_from_collection", () => {
  it("answers a retry after a timeout with the first delete's outcome, not FACE_NOT_FOUND, without running it again", async () => {
    const h = (gallery = await createGalleryHarness(redisUrl, { syncTimeoutMs: 300 }));
    const key = { "idempotency-key": "erase-customer-42-1" };
    const timedOut = await postJson(h.app, DELETE, erase, { headers: key });
    const runs: DeleteFacesJob[] = [];
    await h.startDeleteWorker(erasingWorker(new Set(["customer-42"]), runs));
    await finishedJob(h.queues.delete, timedOut.headers["x-job-id"] as string);

    const retry = await postJson(h.app, DELETE, erase, { headers: key });
    const withoutKey = await postJson(h.app, DELETE, erase);

    expect(timedOut.statusCode).toBe(504);
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ success: true, response: { deleted_face_ids: ["face-of-customer-42"] } });
    expect(retry.headers["x-job-id"]).toBe(timedOut.headers["x-job-id"]);
    // Without a key a delete is a new erasure: it runs again and finds nothing left.
    expect(withoutKey.statusCode).toBe(400);
    expect(withoutKey.json()).toMatchObject({ code: "FACE_NOT_FOUND" });
    expect(runs).toHaveLength(2);
  });

  it("attaches concurrent retries to the running delete", async () => {
    const h = (gallery = await createGalleryHarness(redisUrl));
    const runs: DeleteFacesJob[] = [];
    const erasing = erasingWorker(new Set(["customer-42"]), runs);
    await h.startDeleteWorker(async (job) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return erasing(job);
    });
    const key = { "idempotency-key": "erase-customer-42-2" };

    const answers = await Promise.all([
      postJson(h.app, DELETE, erase, { headers: key }),
      postJson(h.app, DELETE, erase, { headers: key }),
    ]);

    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200]);
    expect(answers[1]?.json()).toEqual(answers[0]?.json());
    expect(runs).toHaveLength(1);
  });

  it("refuses the same key for another person (409) and a malformed key (400)", async () => {
    const h = (gallery = await createGalleryHarness(redisUrl));
    await h.startDeleteWorker(erasingWorker(new Set(["customer-42"]), []));
    const key = { "idempotency-key": "erase-3" };
    expect((await postJson(h.app, DELETE, erase, { headers: key })).statusCode).toBe(200);

    const reused = await postJson(h.app, DELETE, { ...erase, external_image_id: "customer-43" }, { headers: key });
    const malformed = await postJson(h.app, DELETE, erase, { headers: { "idempotency-key": "has spaces" } });

    expect(reused.statusCode).toBe(409);
    expect(reused.json()).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: "INVALID_IDEMPOTENCY_KEY" });
  });

  it("scopes the key to the route: the same key on search_faces is another job", async () => {
    const h = (gallery = await createGalleryHarness(redisUrl));
    await h.startDeleteWorker(erasingWorker(new Set(["customer-42"]), []));
    await h.startSearchWorker(async () => searched);
    const key = { "idempotency-key": "one-key-two-routes" };

    const deleted = await postJson(h.app, DELETE, erase, { headers: key });
    const search = await postJson(h.app, "/search_faces", { image: obamaJpeg.toString("base64") }, { headers: key });

    expect([deleted.statusCode, search.statusCode]).toEqual([200, 200]);
    expect(search.json()).toEqual({ success: true, data: searched.data });
    expect(search.headers["x-job-id"]).not.toBe(deleted.headers["x-job-id"]);
  });
});

describe("back-pressure on the gallery routes", () => {
  it("refuses new deletes and searches with 503 + Retry-After once their queue's backlog is full; a keyed retry still attaches", async () => {
    // No worker: every accepted job stays waiting.
    const h = (gallery = await createGalleryHarness(redisUrl, { syncTimeoutMs: 100, maxBacklog: 1 }));
    const key = { "idempotency-key": "erase-first" };
    const accepted = [
      await postJson(h.app, DELETE, erase, { headers: key }),
      await postJson(h.app, DELETE, { ...erase, external_image_id: "customer-43" }),
      await postJson(h.app, "/search_faces", { image: obamaJpeg.toString("base64") }),
      await postJson(h.app, "/search_faces", { image: obamaJpeg.toString("base64"), threshold: 90 }),
    ];

    const refusedDelete = await postJson(h.app, DELETE, { ...erase, external_image_id: "customer-44" });
    const refusedSearch = await postJson(h.app, "/search_faces", {
      image: obamaJpeg.toString("base64"),
      threshold: 95,
    });
    const retry = await postJson(h.app, DELETE, erase, { headers: key });

    expect(accepted.map((answer) => answer.statusCode)).toEqual([504, 504, 504, 504]);
    for (const refused of [refusedDelete, refusedSearch]) {
      expect(refused.statusCode).toBe(503);
      expect(refused.headers["retry-after"]).toBe("2");
      expect(refused.json()).toMatchObject({ code: "SERVICE_UNAVAILABLE", msg: expect.stringMatching(/waiting/) });
    }
    expect(await h.queues.delete.getWaitingCount()).toBe(2);
    expect(await h.queues.search.getWaitingCount()).toBe(2);
    expect(retry.statusCode).toBe(504);
    expect(retry.headers["x-job-id"]).toBe(accepted[0]?.headers["x-job-id"]);
  });
});

describe("Redis outage on the gallery routes", () => {
  const dead = deadRedis();
  afterAll(() => dead.disconnect());

  it("answers 503 + Retry-After at once on delete and search, without internals", async () => {
    const prefix = `{${uniqueName("gallery-dead")}}`;
    const deadQueue = (name: string) => {
      const queue = new Queue(name, { connection: dead, prefix });
      queue.on("error", () => undefined);
      return queue;
    };
    const queues = { delete: deadQueue(JOBS.delete.queueName), search: deadQueue(JOBS.search.queueName) };
    // Never waited on: the request is refused before it waits.
    const lanes = { delete: stubLane("delete", queues.delete), search: stubLane("search", queues.search) };
    const { app } = buildStubApp({ redis: dead, lanes, syncTimeoutMs: 60_000 });

    const answers = [
      await postJson(app, DELETE, erase),
      await postJson(app, "/search_faces", { image: obamaJpeg.toString("base64") }),
    ];

    for (const answer of answers) {
      expect(answer.statusCode).toBe(503);
      expect(answer.headers["retry-after"]).toBe("1");
      expect(answer.json()).toEqual({
        msg: "The job queue is unavailable; try again shortly",
        code: "SERVICE_UNAVAILABLE",
        retryable: true,
        request_id: answer.headers["x-request-id"],
      });
    }
    await app.close();
    for (const queue of Object.values(queues)) await queue.close().catch(() => undefined);
  });
});
