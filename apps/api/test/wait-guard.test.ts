/** The predicted-wait guard on a fake queue, event feed and clock: it sheds only what would wait too long. */
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { createWaitGuard } from "../src/admission/wait-guard.ts";

function setup() {
  const state = { now: 0, waiting: 0 };
  const events = new EventEmitter();
  const guard = createWaitGuard({
    queue: { getJobCounts: async () => ({ waiting: state.waiting, prioritized: 0 }) },
    events: events as never,
    maxWaitMs: 7_500,
    cacheMs: 0,
    now: () => state.now,
  });
  /** One second of the workers finishing `perSecond` jobs, with `waiting` jobs queued throughout. */
  const second = async (perSecond: number, waiting: number) => {
    state.waiting = waiting;
    await guard.check().catch(() => undefined);
    for (let i = 0; i < perSecond; i++) events.emit("completed", { jobId: `j${i}`, returnvalue: {} });
    state.now += 1_000;
    await guard.check().catch(() => undefined);
  };
  return { state, guard, second };
}

describe("wait guard", () => {
  it("admits while no saturated second has measured the workers' rate", async () => {
    const { state, guard, second } = setup();
    await second(10, 0); // idle workers: what they finished says nothing of what they could
    state.waiting = 10_000;
    await expect(guard.check()).resolves.toBeUndefined();
  });

  it("admits a wait inside the limit and refuses a longer one with 503 and a Retry-After of the excess", async () => {
    const { state, guard, second } = setup();
    for (let s = 0; s < 3; s++) await second(10, 40);
    state.waiting = 70; // 7 s at 10/s
    await expect(guard.check()).resolves.toBeUndefined();
    state.waiting = 100; // 10 s: 2.5 s beyond the limit
    await expect(guard.check()).rejects.toMatchObject({ statusCode: 503, retryAfterSeconds: 3 });
  });

  it("refuses every new job when saturated workers finish nothing (stuck or gone)", async () => {
    const { state, guard, second } = setup();
    await second(0, 5);
    await second(0, 5);
    state.waiting = 1;
    await expect(guard.check()).rejects.toMatchObject({ statusCode: 503, retryAfterSeconds: 30 });
  });

  it("admits at once when nothing waits, whatever the rate", async () => {
    const { state, guard, second } = setup();
    await second(0, 5);
    await second(0, 5);
    state.waiting = 0;
    await expect(guard.check()).resolves.toBeUndefined();
  });
});
