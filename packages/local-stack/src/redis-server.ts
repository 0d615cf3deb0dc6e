/**
 * Finds the Redis the local stack uses: REDIS_URL when it answers, else a private redis-server from PATH
 * (its own port and data directory, AOF on so accepted jobs survive a restart, a maxmemory with noeviction:
 * BullMQ needs noeviction, and the API's memory guard reads maxmemory to refuse work before Redis is full).
 * A reaper stops that redis-server if the process that started it dies (see redis-reaper.ts).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync } from "node:fs";
import { Redis } from "ioredis";
import { stopChild } from "./service-process.ts";
import { reapWhenParentDies } from "./watched-spawn.ts";

/** Enough for the parked images of a full API (MAX_IN_FLIGHT x 15 MiB would be far more) on a small machine. */
export const DEFAULT_REDIS_MAXMEMORY = "1gb";
// How long a fresh redis-server may take to answer PING (loading a large AOF takes longer than a cold start).
const REDIS_READY_TIMEOUT_MS = 10_000;

export interface LocalRedis {
  url: string;
  /** The child we started, or undefined when an existing Redis was used. */
  process?: ChildProcess;
  /** Starts the same redis-server again (same port, data and settings); only when we started one. */
  restart?: () => Promise<ChildProcess>;
}

export interface FindOrStartRedisOptions {
  url?: string;
  port: number;
  dataDir: string;
  /** redis-server's maxmemory (e.g. "1gb"); DEFAULT_REDIS_MAXMEMORY when unset. */
  maxmemory?: string;
}

export class RedisUnavailableError extends Error {
  override readonly name = "RedisUnavailableError";
}

export async function findOrStartRedis(options: FindOrStartRedisOptions): Promise<LocalRedis> {
  if (options.url) {
    if (await answersPing(options.url)) return { url: options.url };
    throw new RedisUnavailableError(
      `REDIS_URL=${redactUrl(options.url)} does not answer PING. Start it, or unset REDIS_URL to let pnpm start run its own redis-server.`,
    );
  }
  const url = `redis://127.0.0.1:${options.port}`;
  if (await answersPing(url)) return { url }; // our own redis-server from an earlier run, still up
  if (spawnSync("redis-server", ["--version"], { stdio: "ignore" }).error) {
    throw new RedisUnavailableError(
      "No Redis found: set REDIS_URL to a running Redis, or install one: `apt-get install redis-server` " +
        "(pnpm start then runs it for you) or `docker compose up -d redis` with REDIS_URL=redis://127.0.0.1:6379.",
    );
  }
  const start = () => startRedisServer(url, options);
  return { url, process: await start(), restart: start };
}

async function startRedisServer(url: string, options: FindOrStartRedisOptions): Promise<ChildProcess> {
  // It holds the parked selfies: only this user may read it.
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(options.dataDir, 0o700);
  const child = spawn(
    "redis-server",
    [
      "--port",
      String(options.port),
      "--bind",
      "127.0.0.1",
      "--dir",
      options.dataDir,
      // Accepted jobs must survive a restart: append-only file, fsync every second.
      "--appendonly",
      "yes",
      // A bound on Redis's memory, so a burst of parked images is refused (OOM, then the API's 503) rather
      // than swapping the machine; the API's memory guard reads it.
      "--maxmemory",
      options.maxmemory ?? DEFAULT_REDIS_MAXMEMORY,
      // BullMQ and the parked images break if Redis evicts keys under memory pressure.
      "--maxmemory-policy",
      "noeviction",
      "--save",
      "",
    ],
    { stdio: "ignore" },
  );
  reapWhenParentDies(child);
  try {
    await waitForPing(url, REDIS_READY_TIMEOUT_MS);
  } catch (error) {
    // Nothing else would ever stop it, and the next start would adopt it once it answers.
    await stopChild(child, 1_000);
    throw error;
  }
  return child;
}

async function answersPing(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1_000,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function waitForPing(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await answersPing(url)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new RedisUnavailableError(`redis-server did not answer on ${url} within ${timeoutMs} ms`);
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, "//***@");
}
