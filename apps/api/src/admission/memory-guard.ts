/**
 * Memory guard: MAX_BACKLOG counts jobs, not bytes, and parked images are up to 15 MiB each, so a
 * backlog within its limit can still fill Redis. Under noeviction a full Redis refuses every write,
 * BullMQ's included, and the whole pipeline stops. So before new bytes are parked, Redis's own
 * `INFO memory` is read (one call shared by every request for a short while, like the backlog count)
 * and, above a share of maxmemory, the request is refused with 503 + Retry-After. Without maxmemory
 * (0, Redis's default) there is no limit to compare with and the guard lets everything through.
 */
import type { Redis } from "ioredis";
import { ServiceUnavailableError } from "../http/errors.ts";
import { sharedReading } from "./shared-reading.ts";

export interface RedisMemory {
  usedBytes: number;
  /** 0 when Redis has no maxmemory set. */
  maxBytes: number;
}

/** Redis's own figures: `used_memory` and `maxmemory` from INFO memory. */
export async function readRedisMemory(redis: Pick<Redis, "info">): Promise<RedisMemory> {
  const info = await redis.info("memory");
  const field = (name: string): number => {
    const value = new RegExp(`^${name}:(\\d+)\\s*$`, "m").exec(info)?.[1];
    if (value === undefined) throw new Error(`INFO memory has no ${name}`);
    return Number(value);
  };
  return { usedBytes: field("used_memory"), maxBytes: field("maxmemory") };
}

export interface MemoryGuardOptions {
  redis: Pick<Redis, "info">;
  /** Refuse new bytes once used_memory is above this share of maxmemory (0-1). */
  highWater: number;
  /**
   * How long one reading serves every request. A quarter second of uploads into one API process is a
   * few tens of MB at most, well inside the headroom the high-water mark leaves.
   */
  cacheMs?: number;
  /** What 503s say in Retry-After: parked images leave Redis as workers finish their jobs, which takes seconds. */
  retryAfterSeconds?: number;
  now?: () => number;
}

export interface MemoryGuard {
  /** Resolves when Redis has room for new bytes; throws ServiceUnavailableError (503) when not, or when Redis fails. */
  check(): Promise<void>;
}

export function createMemoryGuard(options: MemoryGuardOptions): MemoryGuard {
  const memory = sharedReading(() => readRedisMemory(options.redis), options.cacheMs ?? 250, options.now);

  return {
    async check() {
      let reading: RedisMemory;
      try {
        reading = await memory();
      } catch {
        throw new ServiceUnavailableError("The job queue is unavailable; try again shortly");
      }
      if (reading.maxBytes > 0 && reading.usedBytes > reading.maxBytes * options.highWater) {
        const percent = Math.round((reading.usedBytes / reading.maxBytes) * 100);
        throw new ServiceUnavailableError(
          `Too many image bytes are waiting to be processed (queue memory ${percent}% full); retry after the Retry-After delay`,
          options.retryAfterSeconds ?? 5,
        );
      }
    },
  };
}
