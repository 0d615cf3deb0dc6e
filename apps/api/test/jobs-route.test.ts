import { DEFAULT_TENANT } from "@faceindex/contracts";
/** GET /jobs/:request_id after a 504: the job keeps running and its outcome is retrievable, by its owner only. */
import { afterEach, describe, expect, inject, it } from "vitest";
import { createHarness, getJob as fetchJob, postJson, validBody, type Harness } from "./support/harness.ts";
import type { IndexFacesOutcome } from "@faceindex/contracts";
import { requestJobKey } from "../src/jobs/request-jobs.ts";
import { indexedOutcome } from "./support/outcomes.ts";

const redisUrl = inject("redisUrl");
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const getJob = (h: Harness, id: string, subject?: string) => fetchJob(h.app, id, subject);
const post = (h: Harness, body: unknown) => postJson(h.app, "/index_faces", body);

describe("GET /jobs/:request_id", () => {
  it("answers 202 while pending, then the same 200 body index_faces gives", async () => {
    const h = (harness = await createHarness(redisUrl, { syncTimeoutMs: 300 }));
    const timedOut = await post(h, validBody());
    expect(timedOut.statusCode).toBe(504);
    const { request_id: requestId, job_id: jobId } = timedOut.json();

    const pending = await getJob(h, requestId);
    expect(pending.statusCode).toBe(202);
    expect(pending.json()).toEqual({ status: "pending", job_id: jobId });

    const worker = await h.startWorker(async (job) => indexedOutcome(job));
    await new Promise<void>((resolve) => worker.once("completed", () => resolve()));
    const done = await getJob(h, requestId);
    const byJobId = await getJob(h, jobId);
    const replay = await post(h, validBody());

    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual(replay.json());
    expect(done.json()).toMatchObject({
      success: true,
      message: "Face indexed",
      data: { external_image_id: "customer-42" },
    });
    expect(byJobId.json()).toEqual(done.json());
  });

  it("answers a failed outcome with the same 4xx as index_faces", async () => {
    const h = (harness = await createHarness(redisUrl, { syncTimeoutMs: 5_000 }));
    await h.startWorker(async () => ({ status: "no_face", message: "No face was indexed", unindexed_faces: [] }));
    const answered = await post(h, validBody());

    const fetched = await getJob(h, answered.headers["x-request-id"] as string);

    expect(answered.statusCode).toBe(400);
    expect(fetched.statusCode).toBe(400);
    expect(fetched.json()).toEqual(answered.json());
  });

  it.each([null, "not an outcome"])(
    "answers a job that completed with %j as index_faces does: a 500 hiding it",
    async (returned) => {
      const h = (harness = await createHarness(redisUrl, { syncTimeoutMs: 5_000 }));
      await h.startWorker(async () => returned as unknown as IndexFacesOutcome);
      const answered = await post(h, validBody());

      const fetched = await getJob(h, answered.headers["x-request-id"] as string);

      expect([answered.statusCode, fetched.statusCode]).toEqual([500, 500]);
      const { request_id: _, ...body } = answered.json();
      expect(fetched.json()).toEqual({ ...body, request_id: fetched.headers["x-request-id"] });
      expect(JSON.stringify(fetched.json())).not.toContain("outcome");
    },
  );

  it("answers 404 for a request id whose finished job BullMQ has since dropped (removeOnComplete.count)", async () => {
    const h = (harness = await createHarness(redisUrl, { syncTimeoutMs: 5_000 }));
    await h.startWorker(async (job) => indexedOutcome(job));
    const answered = await post(h, validBody());
    const requestId = answered.headers["x-request-id"] as string;
    // What the count-based eviction does when later jobs complete: the job goes, the request id's key stays.
    await h.queue.remove(answered.headers["x-job-id"] as string);
    expect(
      await h.commands.exists(requestJobKey(h.prefix, { tenant: DEFAULT_TENANT, subject: "kyc-user-1" }, requestId)),
    ).toBe(1);

    const fetched = await getJob(h, requestId);

    expect(answered.statusCode).toBe(200);
    expect(fetched.statusCode).toBe(404);
    expect(fetched.json()).toEqual({ msg: `no job found for ${requestId}`, code: "JOB_NOT_FOUND" });
  });

  it("answers 404 for unknown ids and for another subject's job", async () => {
    const h = (harness = await createHarness(redisUrl, { syncTimeoutMs: 200 }));
    const timedOut = await post(h, validBody());
    const { request_id: requestId, job_id: jobId } = timedOut.json();

    for (const response of [
      await getJob(h, "no-such-request-1"),
      await getJob(h, requestId, "mallory"),
      await getJob(h, jobId, "mallory"),
    ]) {
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ code: "JOB_NOT_FOUND", msg: expect.any(String) });
    }
    const anonymous = await h.app.inject({ method: "GET", url: `/jobs/${requestId}` });
    expect(anonymous.statusCode).toBe(401);
  });
});
