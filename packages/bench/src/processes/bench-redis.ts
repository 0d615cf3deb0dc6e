/**
 * The Redis a bench run uses: a private redis-server by default (its CPU is then the queue path's alone), or
 * a shared one (REDIS_URL with --shared-redis) whose CPU cannot be told apart; each scenario then uses its own
 * QUEUE_PREFIX there and deletes its keys after, never flushing anything.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@faceindex/testing";
import { Redis } from "ioredis";
import { redisServerAvailable, startPrivateRedis } from "./private-redis.ts";

export interface BenchRedis {
  url: string;
  /** The server's pid when it is private (its CPU is measured), undefined for a shared one. */
  pid?: number;
  /** Deletes the keys under a prefix (a shared Redis outlives the run). */
  deletePrefix(prefix: string): Promise<void>;
  stop(): Promise<void>;
}

export async function openBenchRedis(sharedUrl: string | undefined): Promise<BenchRedis> {
  if (sharedUrl)
    return { url: sharedUrl, deletePrefix: (prefix) => deleteKeys(sharedUrl, prefix), stop: async () => {} };
  if (!redisServerAvailable()) {
    throw new Error("redis-server is not on PATH: install it (apt-get install redis-server) or pass --shared-redis");
  }
  const dataDir = mkdtempSync(join(tmpdir(), "faceindex-bench-redis-"));
  const redis = await startPrivateRedis(await freePort(), dataDir);
  return {
    url: redis.url,
    pid: redis.pid,
    // The private server and its data go away at stop; nothing to delete one prefix at a time.
    deletePrefix: async () => {},
    async stop() {
      await redis.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    // SCAN's MATCH is a glob: a {hash tag} prefix's braces are literal there.
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 })) {
      if ((keys as string[]).length > 0) await redis.unlink(...(keys as string[]));
    }
  } finally {
    redis.disconnect();
  }
}
