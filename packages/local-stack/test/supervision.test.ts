/**
 * `pnpm start` as a user runs it (its own redis-server, load-test engine): a child killed with SIGKILL is
 * started again and answers again; the data directory is private; Redis runs with a maxmemory and
 * noeviction; and when `pnpm start` itself is SIGKILLed, no child survives it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { freePort, uniqueName } from "@faceindex/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
let dataDir: string;
let start: ChildProcess;
let output = "";
const ports = { api: 0, s3: 0, rekognition: 0, redis: 0 };

/** Every live process below `pid` (children, grandchildren), from /proc. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited while we looked
    }
  }
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const child of parents.get(parent) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie (exited, not yet reaped) is not running.
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** The one child of `pnpm start` whose command line contains `marker`. */
function childPid(marker: string): number {
  const pids = descendants(start.pid!).filter((pid) => commandLine(pid).includes(marker));
  expect(pids, `one process running ${marker}`).toHaveLength(1);
  return pids[0]!;
}

async function until(check: () => Promise<boolean> | boolean, what: string, withinMs = 60_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}\n${output}`);
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
  for (const name of Object.keys(ports) as (keyof typeof ports)[]) ports[name] = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: join(dataDir, "data"),
    PORT: String(ports.api),
    S3_PORT: String(ports.s3),
    REKOGNITION_PORT: String(ports.rekognition),
    REDIS_PORT: String(ports.redis),
    FACE_ENGINE: "load-test",
    FACE_ENGINE_THREADS: "1",
    QUEUE_PREFIX: `{${uniqueName("supervision")}}`,
    METRICS_PORT: "0",
    LOG_LEVEL: "error",
  };
  delete env.REDIS_URL; // its own redis-server, which it supervises
  delete env.REDIS_MAXMEMORY; // the default is under test
  start = spawn(process.execPath, ["--import", "tsx", "packages/local-stack/src/main.ts"], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  start.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  start.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await until(() => output.includes("faceindex is running."), "pnpm start to be running", 180_000);
}, 200_000);

afterAll(async () => {
  if (start && isRunning(start.pid!)) {
    const pids = descendants(start.pid!);
    start.kill("SIGKILL");
    await until(() => pids.every((pid) => !isRunning(pid)), "the children to stop", 30_000).catch(() => {
      for (const pid of pids.filter(isRunning)) process.kill(pid, "SIGKILL");
    });
  }
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
      expect(output).toMatch(/exited \(signal SIGKILL\); restarting in \d+ ms/);
    },
    90_000,
  );

  it("starts the worker again after a SIGKILL", async () => {
    const pid = childPid("worker/src/main.ts");
    process.kill(pid, "SIGKILL");
    await until(() => !isRunning(pid), "the worker to be gone");
    await until(
      () => descendants(start.pid!).some((p) => p !== pid && commandLine(p).includes("worker/src/main.ts")),
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
    const pids = descendants(start.pid!);
    // redis-server, its reaper, local S3, Rekognition, one worker, the API (and tsx's esbuild helpers).
    for (const marker of ["redis-server", "redis-reaper", "local-s3", "rekognition-local", "worker/src", "api/src"]) {
      expect(
        pids.some((pid) => commandLine(pid).includes(marker)),
        marker,
      ).toBe(true);
    }
    start.kill("SIGKILL");
    await until(() => pids.every((pid) => !isRunning(pid)), "every child to exit", 45_000);
    expect(pids.filter(isRunning)).toEqual([]);
    expect(await redisPing().catch(() => false)).toBe(false);
  }, 60_000);
});
