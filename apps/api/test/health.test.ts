/** Probes and a Redis outage, with a real Redis and a client pointed at a closed port. */
import { afterAll, describe, expect, inject, it } from "vitest";
import { Redis } from "ioredis";
import { Queue } from "bullmq";
import { INDEX_FACES_QUEUE } from "@faceindex/contracts";
import { uniqueName } from "@faceindex/testing";
import { devToken, validBody } from "./support/harness.ts";
import { buildStubApp, stubLane } from "./support/stub-app.ts";
import { deadRedis } from "./support/dead-redis.ts";

const live = new Redis(inject("redisUrl"), { maxRetriesPerRequest: 1 });
const dead = deadRedis();
afterAll(() => {
  live.disconnect();
  dead.disconnect();
});

describe("probes", () => {
  it("healthz is 200 and readyz is 200 while Redis answers", async () => {
    const { app } = buildStubApp({ redis: live });
    expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    const ready = await app.inject({ method: "GET", url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: "ok" });
    await app.close();
  });

  it("readyz is 503 when Redis is unreachable", async () => {
    const { app } = buildStubApp({ redis: dead });
    const ready = await app.inject({ method: "GET", url: "/readyz" });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ msg: "Redis is not reachable" });
    await app.close();
  });
});

describe("Redis outage during a request", () => {
  it("answers 503 at once instead of hanging, without internals", async () => {
    const queue = new Queue(INDEX_FACES_QUEUE, { connection: dead, prefix: `{${uniqueName("api-dead")}}` });
    queue.on("error", () => undefined);
    const { app } = buildStubApp({ redis: dead, lanes: { index: stubLane("index", queue) }, syncTimeoutMs: 60_000 });
    const response = await app.inject({
      method: "POST",
      url: "/index_faces",
      headers: { authorization: `Bearer ${await devToken()}` },
      payload: validBody(),
    });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      msg: "The job queue is unavailable; try again shortly",
      code: "SERVICE_UNAVAILABLE",
      retryable: true,
      request_id: response.headers["x-request-id"],
    });
    await app.close();
    await queue.close().catch(() => undefined);
  });
});
