/**
 * Parked bytes cannot fill Redis: above a share of its maxmemory, new images are refused at once with 503 +
 * Retry-After, while replays of existing jobs are still served. Runs on a private redis-server whose
 * maxmemory the test sets (never on the shared one).
 */
import { afterEach, describe, expect, it } from "vitest";
import { createMemoryGuard, readRedisMemory } from "../src/admission/memory-guard.ts";
import { createHarness, postJson, validBody, type Harness } from "./support/harness.ts";
import { startPrivateRedis, type PrivateRedis } from "@faceindex/testing";

let harness: Harness | undefined;
let redis: PrivateRedis | undefined;
afterEach(async () => {
  await harness?.close();
  await redis?.stop();
  harness = undefined;
  redis = undefined;
});

const post = (h: Harness, body: unknown) => postJson(h.app, "/index_faces", body);
const info = (used: number, max: number) =>
  `# Memory\r\nused_memory:${used}\r\nused_memory_human:1M\r\nmaxmemory:${max}\r\nmaxmemory_human:0B\r\nmaxmemory_policy:noeviction\r\n`;

describe("memory guard", () => {
  it("refuses new images with 503 above the high-water mark of maxmemory; replays still attach; recovers", async () => {
    redis = await startPrivateRedis();
    // No worker: every accepted job stays waiting.
    const h = (harness = await createHarness(redis.url, { syncTimeoutMs: 100, memoryHighWater: 0.8 }));
    const accepted = await post(h, validBody({ external_image_id: "m-1" }));

    // Redis at ~91 % of its maxmemory, above the 80 % mark.
    const { usedBytes } = await readRedisMemory(redis.client);
    await redis.client.config("SET", "maxmemory", String(Math.ceil(usedBytes * 1.1)));
    const refused = await post(h, validBody({ external_image_id: "m-2" }));
    const replay = await post(h, validBody({ external_image_id: "m-1" }));

    expect(accepted.statusCode).toBe(504);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers["retry-after"]).toBe("5");
    expect(refused.json()).toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      msg: expect.stringMatching(/memory \d+% full/),
    });
    expect(await h.queue.getWaitingCount()).toBe(1);
    expect(replay.statusCode).toBe(504); // attached to the waiting job, not refused
    expect(replay.headers["x-job-id"]).toBe(accepted.headers["x-job-id"]);

    // No limit (maxmemory 0): the guard is off and new images pass again.
    await redis.client.config("SET", "maxmemory", "0");
    expect((await post(h, validBody({ external_image_id: "m-2" }))).statusCode).toBe(504);
    expect(await h.queue.getWaitingCount()).toBe(2);
  });

  it("reads used_memory and maxmemory from INFO memory, and lets everything through without maxmemory", async () => {
    const guard = createMemoryGuard({ redis: { info: async () => info(10 ** 12, 0) }, highWater: 0.8 });
    await expect(guard.check()).resolves.toBeUndefined();
    await expect(readRedisMemory({ info: async () => info(123, 456) })).resolves.toEqual({
      usedBytes: 123,
      maxBytes: 456,
    });
  });

  it("shares one reading among concurrent checks and caches it briefly", async () => {
    let calls = 0;
    let now = 0;
    const guard = createMemoryGuard({
      redis: { info: async () => ((calls += 1), info(70, 100)) },
      highWater: 0.8,
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

  it("answers 503 when INFO cannot be read", async () => {
    const down = createMemoryGuard({ redis: { info: async () => Promise.reject(new Error("down")) }, highWater: 0.8 });
    const garbled = createMemoryGuard({ redis: { info: async () => "# Memory\r\n" }, highWater: 0.8 });
    await expect(down.check()).rejects.toMatchObject({ statusCode: 503, retryAfterSeconds: 1 });
    await expect(garbled.check()).rejects.toMatchObject({ statusCode: 503 });
  });
});
