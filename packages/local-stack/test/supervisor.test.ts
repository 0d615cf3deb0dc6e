/**
 * The restart policy alone, with fake children and fake timers (fast): the backoff doubles while a child
 * keeps dying, stops at its cap, starts afresh after a healthy run, and stop() ends the restarts.
 */
import type { ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { supervise } from "../src/supervisor.ts";

class FakeChild extends EventEmitter {
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  readonly pid: number;
  constructor(pid: number) {
    super();
    this.pid = pid;
  }
  die(code: number | null, signal: NodeJS.Signals | null = null) {
    this.exitCode = code;
    this.signalCode = signal;
    this.emit("exit", code, signal);
  }
}

let children: FakeChild[];
let lines: string[];
const asChild = (fake: FakeChild) => fake as unknown as ChildProcess;

beforeEach(() => {
  vi.useFakeTimers();
  children = [new FakeChild(1)];
  lines = [];
});
afterEach(() => vi.useRealTimers());

function start() {
  return supervise({
    name: "api",
    first: asChild(children[0]!),
    restart: async () => {
      const next = new FakeChild(children.length + 1);
      children.push(next);
      return asChild(next);
    },
    stopChild: async () => {},
    enabled: true,
    log: (line) => lines.push(line),
  });
}

const delays = () => lines.flatMap((line) => /restarting in (\d+) ms/.exec(line)?.[1] ?? []).map(Number);

describe("supervise", () => {
  it("restarts a dying child with a doubling backoff capped at 30 s, logging the exit", async () => {
    const supervised = start();
    for (let i = 0; i < 10; i++) {
      children.at(-1)!.die(i === 0 ? null : 1, i === 0 ? "SIGKILL" : null);
      await vi.advanceTimersByTimeAsync(30_000);
    }
    expect(delays()).toEqual([250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(lines[0]).toBe("faceindex: api exited (signal SIGKILL); restarting in 250 ms");
    expect(lines).toContain("faceindex: api exited (code 1); restarting in 500 ms");
    expect(supervised.restarts).toBe(10);
    expect(supervised.child.pid).toBe(11);
  });

  it("starts the backoff afresh after the child ran for a minute", async () => {
    start();
    for (let i = 0; i < 3; i++) {
      children.at(-1)!.die(1);
      await vi.advanceTimersByTimeAsync(5_000);
    }
    await vi.advanceTimersByTimeAsync(60_000);
    children.at(-1)!.die(1);
    expect(delays()).toEqual([250, 500, 1000, 250]);
  });

  it("retries a restart that fails, and restarts nothing after stop()", async () => {
    let failures = 1;
    const supervised = supervise({
      name: "s3",
      first: asChild(children[0]!),
      restart: async () => {
        if (failures-- > 0) throw new Error("port in use");
        const next = new FakeChild(children.length + 1);
        children.push(next);
        return asChild(next);
      },
      stopChild: async () => {},
      enabled: true,
      log: (line) => lines.push(line),
    });
    children[0]!.die(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(lines).toContain("faceindex: s3 could not start (port in use); restarting in 500 ms");
    expect(supervised.restarts).toBe(1);
    await supervised.stop();
    children.at(-1)!.die(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(supervised.restarts).toBe(1);
    expect(children).toHaveLength(2);
  });
});
