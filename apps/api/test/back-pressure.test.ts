import { DEFAULT_TENANT } from "@faceindex/contracts";
/** When more jobs wait than can be served in time, new ones are refused at once with 503 + Retry-After. */
import { afterEach, describe, expect, inject, it } from "vitest";
import { createBacklogGuard } from "../src/admission/backlog-guard.ts";
import { requestJobKey } from "../src/jobs/request-jobs.ts";
import { createHarness, postJson, validBody, type Harness } from "./support/harness.ts";

const redisUrl = inject("redisUrl");
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const post = (h: Harness, body: unknown) => postJson(h.app, "/index_faces", body);

describe("back-pressure", () => {
  it("queues up to MAX_BACKLOG, then answers 503 with Retry-After without queueing; replays still attach", async () => {
    // No worker: every accepted job stays waiting.
    const h = (harness = await createHarness(redisUrl, { syncTimeoutMs: 100, maxBacklog: 2 }));
    const accepted = [];
    for (const id of ["a-1", "a-2", "a-3"]) accepted.push(await post(h, validBody({ external_image_id: id })));

    const refused = await post(h, validBody({ external_image_id: "a-4" }));
    const replay = await post(h, validBody({ external_image_id: "a-1" }));

    expect(accepted.map((r) => r.statusCode)).toEqual([504, 504, 504]);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers["retry-after"]).toBe("2");
    expect(refused.json()).toMatchObject({ code: "SERVICE_UNAVAILABLE", msg: expect.stringMatching(/waiting/) });
    expect(await h.queue.getWaitingCount()).toBe(3);
    // A refusal writes nothing that outlives it: under overload, refused retries must not fill Redis.
    expect(
      await h.commands.exists(
        requestJobKey(
          h.prefix,
          { tenant: DEFAULT_TENANT, subject: "kyc-user-1" },
          refused.headers["x-request-id"] as string,
        ),
      ),
    ).toBe(0);
    expect(replay.statusCode).toBe(504); // attached to the waiting job, not refused
    expect(replay.headers["x-job-id"]).toBe(accepted[0]?.headers["x-job-id"]);
  });

  it("shares one count among concurrent checks and caches it briefly", async () => {
    let calls = 0;
    let now = 0;
    const guard = createBacklogGuard({
      queue: { getJobCounts: async () => ((calls += 1), { waiting: 5, prioritized: 0, delayed: 1 }) },
      maxBacklog: 10,
      cacheMs: 250,
      now: () => now,
    });
    await Promise.all(Array.from({ length: 50 }, () => guard.check()));
    now = 100;
    await guard.check();
    now = 400;
    await guard.check();
    expect(calls).toBe(2);
  });

  it("answers 503 when the count cannot be read", async () => {
    const guard = createBacklogGuard({
      queue: { getJobCounts: async () => Promise.reject(new Error("down")) },
      maxBacklog: 1,
    });
    await expect(guard.check()).rejects.toMatchObject({ statusCode: 503, retryAfterSeconds: 1 });
  });
});
