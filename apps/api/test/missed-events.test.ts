/**
 * No lost completions: when completion events go missing, every waiter still gets its answer, and
 * polling stays cheap with many waiters (one batched read per moment, overdue jobs only).
 */
import { EventEmitter } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, describe, expect, inject, it } from "vitest";
import { INDEX_FACES_QUEUE } from "@faceindex/contracts";
import type { FinishedJobResult } from "../src/jobs/wait/job-result.ts";
import { createJobWaiter } from "../src/jobs/wait/job-waiter.ts";
import { createHarness, devToken, validBody, type Harness } from "./support/harness.ts";
import { indexedOutcome } from "./support/outcomes.ts";

const redisUrl = inject("redisUrl");
let harness: Harness | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await harness?.close();
  harness = undefined;
});

describe("missed completion events", () => {
  it("answers every request when two of every three events are dropped", async () => {
    const lossy = new EventEmitter();
    const h = (harness = await createHarness(redisUrl, { events: lossy as never }));
    // The real event stream of this queue, forwarded with losses.
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const events = new QueueEvents(INDEX_FACES_QUEUE, { connection, prefix: h.prefix });
    cleanups.push(async () => {
      await events.close();
      connection.disconnect();
    });
    await events.waitUntilReady();
    let seen = 0;
    let dropped = 0;
    for (const name of ["completed", "failed"] as const) {
      events.on(name, (args: unknown) => (seen++ % 3 === 0 ? lossy.emit(name, args) : dropped++));
    }
    await h.startWorker(async (job) => indexedOutcome(job));
    const token = await devToken();

    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        h.app.inject({
          method: "POST",
          url: "/index_faces",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          payload: JSON.stringify(validBody({ external_image_id: `lossy-${i}` })),
        }),
      ),
    );

    expect(responses.map((r) => r.statusCode)).toEqual(Array(60).fill(200));
    expect(dropped).toBeGreaterThan(30);
  });
});

describe("polling cost", () => {
  it("reads all new waiters in one batch, then only overdue ones, one batch per interval", async () => {
    const batches: string[][] = [];
    const finished = new Set<string>();
    const waiter = createJobWaiter({
      events: new EventEmitter() as never,
      loadFinishedJobs: async (ids) => {
        batches.push(ids);
        return new Map(
          ids
            .filter((id) => finished.has(id))
            .map((id): [string, FinishedJobResult] => [id, { status: "completed", returnvalue: id }]),
        );
      },
      // Long enough that a loaded CI machine's scheduling delays cannot fit a second poll before the check below.
      pollIntervalMs: 500,
      overdueMs: 500,
    });
    const waits = Array.from({ length: 300 }, (_, i) => waiter.wait(`job-${i}`, 10_000));
    await sleep(10);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(300);

    for (let i = 0; i < 300; i++) finished.add(`job-${i}`);
    const results = await Promise.all(waits);

    expect(results.every((result) => result.status === "completed")).toBe(true);
    // One fresh read, then one batched read per interval: never one read per waiter.
    expect(batches.length).toBeLessThanOrEqual(3);
    waiter.close();
  });

  it("lets several requests wait for the same job", async () => {
    const events = new EventEmitter();
    const waiter = createJobWaiter({
      events: events as never,
      loadFinishedJobs: async () => new Map(),
      pollIntervalMs: 60_000,
    });
    const both = Promise.all([waiter.wait("same", 10_000), waiter.wait("same", 10_000)]);
    await sleep(5);
    events.emit("completed", { jobId: "same", returnvalue: 1 });
    expect(await both).toEqual([
      { status: "completed", returnvalue: 1 },
      { status: "completed", returnvalue: 1 },
    ]);
    waiter.close();
  });
});
