/**
 * A parked SET that fails or times out must not leave its bytes in Redis: the request answers 503 and no
 * job will ever read them, so without a DEL they stay parked for the image TTL (15 min, issue 10 finding
 * 4). Runs on a private redis-server whose writes the test pauses (never the shared one).
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { imageRedisKey } from "@faceindex/contracts";
import { ServiceUnavailableError } from "../src/http/errors.ts";
import { submitJob } from "../src/jobs/submit-job.ts";
import { startPrivateRedis, type PrivateRedis } from "@faceindex/testing";
import { noLimit, openTestLanes, type TestLanes } from "./support/test-lanes.ts";

let redis: PrivateRedis | undefined;
let lanes: TestLanes | undefined;
let commands: Redis | undefined;
afterEach(async () => {
  commands?.disconnect();
  await lanes?.close();
  await redis?.stop();
  [redis, lanes, commands] = [undefined, undefined, undefined];
});

describe("parked image cleanup", () => {
  it("deletes the key of a parked SET that timed out, once Redis executes it", async () => {
    redis = await startPrivateRedis();
    const prefix = `{parked-${randomUUID()}}`;
    lanes = await openTestLanes(redis.url, prefix);
    // The API's command connection, with a short command timeout so the paused SET times out.
    commands = new Redis(redis.url, { maxRetriesPerRequest: 1, commandTimeout: 300 });
    const key = imageRedisKey(`rq-${randomUUID()}`, prefix);
    const pauseMs = 2_000;
    // Writes are paused right after the job lookup, just before the SET: the SET times out client-side but runs
    // later. (Pausing earlier let a slow lookup on a loaded machine outlast the pause, and the SET then succeeded.)
    const queue = lanes.opened.lanes.index.queue;
    const lookupThenPause = {
      add: queue.add.bind(queue),
      getJob: async (id: string) => {
        const job = await queue.getJob(id);
        await redis!.client.call("CLIENT", "PAUSE", String(pauseMs), "WRITE");
        return job;
      },
    };
    // No backlog check here: it runs a BullMQ script, which PAUSE WRITE holds too.
    const lane = { ...lanes.opened.lanes.index, queue: lookupThenPause, backlog: { check: async () => {} } };
    const submitted = submitJob({ redis: commands, memory: noLimit }, lane, {
      jobId: `rq-${"a".repeat(40)}`,
      data: { tenant: "default", subject: "alice", requestDigest: "d" },
      parked: { key, bytes: Buffer.alloc(1024 * 1024, 7) },
    });

    await expect(submitted).rejects.toBeInstanceOf(ServiceUnavailableError);
    await sleep(pauseMs + 200);
    await redis.client.call("CLIENT", "UNPAUSE");
    // The SET reached Redis after all; the DEL queued behind it on the same connection removes it.
    await expect.poll(() => redis!.client.exists(key), { timeout: 3_000 }).toBe(0);
    expect(await lanes.opened.queues.index.getJob(`rq-${"a".repeat(40)}`)).toBeUndefined();
  });
});
