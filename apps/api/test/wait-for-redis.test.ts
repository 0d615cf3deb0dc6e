/** Start-up waits for a Redis that is not up yet, saying every few seconds what it waits for (no password). */
import { afterEach, describe, expect, it, vi } from "vitest";
import { Redis } from "ioredis";
import { freePort, startPrivateRedis, type PrivateRedis } from "@faceindex/testing";
import { redactPassword, waitForRedis } from "../src/redis/wait-for-redis.ts";

// Generous: a loaded 2-core CI machine can take seconds to decode, park and enqueue; this bounds a hang, not speed.
const WAIT = { timeout: 20_000, interval: 50 };

let redis: PrivateRedis | undefined;
let client: Redis | undefined;
afterEach(async () => {
  client?.disconnect();
  await redis?.stop();
  redis = undefined;
  client = undefined;
});

describe("waitForRedis", () => {
  it("logs while Redis is not up, without the password, and resolves once it comes up", async () => {
    const port = await freePort();
    // Nothing listens yet: the client retries, as main.ts's does.
    client = new Redis(`redis://127.0.0.1:${port}`, { retryStrategy: () => 20 });
    client.on("error", () => {});
    const logs: { fields: Record<string, unknown>; message: string }[] = [];
    const waiting = waitForRedis(client, {
      url: `redis://app:s3cret@127.0.0.1:${port}/0`,
      log: (fields, message) => logs.push({ fields, message }),
      intervalMs: 10,
    });
    await vi.waitFor(() => expect(logs.length).toBeGreaterThanOrEqual(2), WAIT);

    redis = await startPrivateRedis(port);
    await waiting;

    expect(logs[0]).toEqual({
      fields: {
        redis: `redis://app:***@127.0.0.1:${port}/0`,
        status: expect.any(String),
        waitedSeconds: expect.any(Number),
      },
      message: "waiting for Redis to accept connections",
    });
    expect(JSON.stringify(logs)).not.toContain("s3cret");
  });

  it("returns at once when the connection is already ready", async () => {
    const log = vi.fn();
    await waitForRedis({ status: "ready", once: () => undefined as never }, { url: "redis://127.0.0.1:6379", log });
    expect(log).not.toHaveBeenCalled();
  });

  it("redacts only the password", () => {
    expect(redactPassword("redis://:pw@redis:6379")).toBe("redis://:***@redis:6379");
    expect(redactPassword("rediss://user:pw@redis.example:6380/2")).toBe("rediss://user:***@redis.example:6380/2");
    expect(redactPassword("redis://redis:6379")).toBe("redis://redis:6379");
  });
});
