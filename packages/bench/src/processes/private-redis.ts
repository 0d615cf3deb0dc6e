/**
 * A private redis-server for one bench run: its CPU is the queue path's alone (a shared Redis also serves
 * other people's tests), and nothing of it outlives the run. Configured as production should be: AOF with
 * fsync every second (accepted jobs survive a restart), noeviction (BullMQ needs it) and a maxmemory, so the
 * API's memory guard runs as it would there.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { Redis } from "ioredis";
import { killAtExit, stopChild } from "./child-service.ts";

export interface PrivateRedis {
  url: string;
  /** The server's own pid, from INFO server. */
  pid: number;
  stop(): Promise<void>;
}

// Far above what the bench parks at once (64 clients x 1 MB images), so the memory guard never refuses.
const MAXMEMORY = "2gb";
// redis-server answers PING within milliseconds of starting; 10 s covers a busy machine.
const START_TIMEOUT_MS = 10_000;
// Time to flush the AOF on SIGTERM before it is killed.
const STOP_GRACE_MS = 5_000;

export function redisServerAvailable(): boolean {
  return !spawnSync("redis-server", ["--version"], { stdio: "ignore" }).error;
}

export async function startPrivateRedis(port: number, dataDir: string): Promise<PrivateRedis> {
  mkdirSync(dataDir, { recursive: true });
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dataDir, "--save", ""];
  args.push("--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction");
  args.push("--maxmemory", MAXMEMORY);
  const child = spawn("redis-server", args, { stdio: "ignore" });
  killAtExit(child);
  const url = `redis://127.0.0.1:${port}`;
  try {
    const pid = await waitForServerPid(url);
    return { url, pid, stop: () => stopChild(child, STOP_GRACE_MS) };
  } catch (error) {
    await stopChild(child, 1_000);
    throw error;
  }
}

/** The pid of the Redis at url, as it reports it (INFO server process_id). */
export async function redisProcessId(url: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on("error", () => {});
  try {
    await redis.connect();
    const info = await redis.info("server");
    const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
    if (!Number.isInteger(pid)) throw new Error(`INFO server of ${url} has no process_id`);
    return pid;
  } finally {
    redis.disconnect();
  }
}

async function waitForServerPid(url: string): Promise<number> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      return await redisProcessId(url);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
