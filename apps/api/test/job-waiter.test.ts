/** The waiter's bookkeeping with a hand-fed event emitter (the real queue path is in index-faces-queue.test.ts). */
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import type { FinishedJobResult } from "../src/jobs/wait/job-result.ts";
import { createJobWaiter } from "../src/jobs/wait/job-waiter.ts";

describe("createJobWaiter", () => {
  it("resolves each waiter from one shared subscription, ignoring other jobs", async () => {
    const events = new EventEmitter();
    const waiter = createJobWaiter({
      events: events as never,
      loadFinishedJobs: async () => new Map(),
      pollIntervalMs: 60_000,
    });
    const a = waiter.wait("a", 10_000);
    const b = waiter.wait("b", 10_000);
    events.emit("completed", { jobId: "zzz", returnvalue: 0 });
    events.emit("failed", { jobId: "b", failedReason: "boom" });
    events.emit("completed", { jobId: "a", returnvalue: { status: "indexed" } });
    await expect(a).resolves.toEqual({ status: "completed", returnvalue: { status: "indexed" } });
    await expect(b).resolves.toEqual({ status: "failed", failedReason: "boom" });
    expect(events.listenerCount("completed")).toBe(1);
    waiter.close();
    expect(events.listenerCount("completed")).toBe(0);
  });

  it("answers from polling when no event comes, and keeps polling after an error", async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const waiter = createJobWaiter({
      events: new EventEmitter() as never,
      loadFinishedJobs: async (ids) => {
        calls += 1;
        if (calls === 1) throw new Error("redis hiccup");
        const late: FinishedJobResult = { status: "completed", returnvalue: "late" };
        return new Map(calls < 3 ? [] : ids.map((id) => [id, late]));
      },
      pollIntervalMs: 5,
      onPollError: (error) => errors.push(error),
    });
    await expect(waiter.wait("x", 10_000)).resolves.toEqual({ status: "completed", returnvalue: "late" });
    expect(errors).toHaveLength(1);
    waiter.close();
  });

  it("times out, and close() releases pending waits", async () => {
    const waiter = createJobWaiter({
      events: new EventEmitter() as never,
      loadFinishedJobs: async () => new Map(),
    });
    await expect(waiter.wait("slow", 20)).resolves.toEqual({ status: "timeout" });
    const pending = waiter.wait("pending", 60_000);
    waiter.close();
    await expect(pending).resolves.toEqual({ status: "timeout" });
  });
});
