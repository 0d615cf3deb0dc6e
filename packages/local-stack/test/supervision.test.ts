/**
 * `pnpm start` as a user runs it (its own redis-server, load-test engine): a child killed with SIGKILL is
 * started again and answers again; the data directory is private; Redis runs with a maxmemory and
 * noeviction; and when `pnpm start` itself is SIGKILLed, no child survives it.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { uniqueName } from "@faceindex/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  commandLine,
  descendants,
  isRunning,
  killPnpmStart,
  startPnpmStart,
  until as untilDone,
  type PnpmStart,
} from "./pnpm-start.ts";

let dataDir: string;
let started: PnpmStart;
let ports: PnpmStart["ports"];
const output = () => started.output();
const until = (check: () => Promise<boolean> | boolean, what: string, withinMs?: number) =>
  untilDone(check, what, withinMs, started);

/** The one child of `pnpm start` whose command line contains `marker`. */
function childPid(marker: string): number {
  const pids = descendants(started.process.pid!).filter((pid) => commandLine(pid).includes(marker));
  expect(pids, `one process running ${marker}`).toHaveLength(1);
  return pids[0]!;
}

const answers = (url: string) => async () => (await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok;

async function redisPing(): Promise<boolean> {
  const redis = new Redis(ports.redis, "127.0.0.1", {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG";
  } finally {
    redis.disconnect();
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "faceindex-supervision-"));
  started = await startPnpmStart(dataDir);
  ports = started.ports;
}, 200_000);

afterAll(async () => {
  await killPnpmStart(started);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("pnpm start's supervision", () => {
  it("keeps the data directory and the S3 and Redis folders in it private (0700)", () => {
    for (const dir of ["data", "data/s3", "data/redis"]) {
      expect((statSync(join(dataDir, dir)).mode & 0o777).toString(8), dir).toBe("700");
    }
  });

  it("runs its Redis with maxmemory 1gb and noeviction", async () => {
    const redis = new Redis(ports.redis, "127.0.0.1");
    try {
      expect(await redis.config("GET", "maxmemory")).toEqual(["maxmemory", String(1024 ** 3)]);
      expect(await redis.config("GET", "maxmemory-policy")).toEqual(["maxmemory-policy", "noeviction"]);
    } finally {
      redis.disconnect();
    }
  });

  it.each([
    ["the local S3", "local-s3/src/main.ts", "/_local/health", "s3"],
    ["the Rekognition server", "rekognition-local/src/main.ts", "/_local/health", "rekognition"],
    ["the API", "api/src/main.ts", "/healthz", "api"],
  ] as const)(
    "starts %s again after a SIGKILL, and it answers again",
    async (_, marker, path, port) => {
      const pid = childPid(marker);
      const url = `http://127.0.0.1:${ports[port]}${path}`;
      expect(await answers(url)()).toBe(true);
      process.kill(pid, "SIGKILL");
      await until(() => !isRunning(pid), "the killed child to be gone");
      await until(answers(url), `${marker} to answer again`);
      expect(childPid(marker)).not.toBe(pid);
      expect(output()).toMatch(/exited \(signal SIGKILL\); restarting in \d+ ms/);
    },
    90_000,
  );

  it("starts the worker again after a SIGKILL", async () => {
    const pid = childPid("worker/src/main.ts");
    process.kill(pid, "SIGKILL");
    await until(() => !isRunning(pid), "the worker to be gone");
    await until(
      () => descendants(started.process.pid!).some((p) => p !== pid && commandLine(p).includes("worker/src/main.ts")),
      "a new worker",
    );
  });

  it("starts Redis again after a SIGKILL, with the data it had", async () => {
    const redis = new Redis(ports.redis, "127.0.0.1");
    const key = `${uniqueName("supervision")}:kept`;
    await redis.set(key, "yes");
    const pid = Number((await redis.info("server")).match(/process_id:(\d+)/)?.[1]);
    redis.disconnect();
    // AOF is fsynced every second: give the write that long to reach the disk before the crash.
    await sleep(1_500);
    process.kill(pid, "SIGKILL");
    await until(() => !isRunning(pid), "redis-server to be gone");
    await until(redisPing, "redis-server to answer again");
    const again = new Redis(ports.redis, "127.0.0.1");
    try {
      expect(await again.get(key)).toBe("yes");
      expect(Number((await again.info("server")).match(/process_id:(\d+)/)?.[1])).not.toBe(pid);
      await again.del(key);
    } finally {
      again.disconnect();
    }
    await until(answers(`http://127.0.0.1:${ports.api}/readyz`), "the API to be ready again");
  });

  it("leaves no child running when pnpm start itself is SIGKILLed", async () => {
    const pids = descendants(started.process.pid!);
    // redis-server, its reaper, local S3, Rekognition, one worker, the API (and tsx's esbuild helpers).
    for (const marker of ["redis-server", "redis-reaper", "local-s3", "rekognition-local", "worker/src", "api/src"]) {
      expect(
        pids.some((pid) => commandLine(pid).includes(marker)),
        marker,
      ).toBe(true);
    }
    started.process.kill("SIGKILL");
    await until(() => pids.every((pid) => !isRunning(pid)), "every child to exit", 45_000);
    expect(pids.filter(isRunning)).toEqual([]);
    expect(await redisPing().catch(() => false)).toBe(false);
  }, 60_000);
});
