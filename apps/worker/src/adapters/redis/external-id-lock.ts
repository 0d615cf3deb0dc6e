/**
 * Serialises index and delete of one (bucket, external id): without it a delete can read the mapping
 * while an IndexFaces for the same person is in flight, and the new face survives the erasure (or the
 * mapping points at a deleted face).
 *
 * A short Redis lock (SET NX PX with a random token, released by a check-and-delete script so a holder
 * whose lock expired never frees someone else's). When the lock is held, withLock throws LockBusyError:
 * the worker puts the job back to wait without spending an attempt (runtime/lock-wait.ts), so the worker slot
 * serves other jobs instead of blocking, and a lock left by a crashed worker expires and is taken later.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { deleteIfValue, luaScript, type ScriptRedis } from "@faceindex/redis-connection";
import { externalIdLockKey } from "@faceindex/contracts";
import { LockBusyError } from "../../runtime/lock-busy-error.ts";

export interface ExternalIdLock {
  withLock<T>(bucket: string, externalImageId: string, work: () => Promise<T>): Promise<T>;
}

export interface ExternalIdLockOptions {
  redis: ScriptRedis & Pick<Redis, "set">;
  prefix: string;
  collectionId: string;
  /** Short, so a crashed holder blocks the person for seconds, not minutes; renewed while work runs. */
  ttlMs: number;
}

const RENEW = luaScript(
  `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`,
);

export function createExternalIdLock({ redis, prefix, collectionId, ttlMs }: ExternalIdLockOptions): ExternalIdLock {
  // A third of the TTL: two renewals can fail (a Redis blip) before the lock could lapse.
  const renewMs = Math.floor(ttlMs / 3);
  return {
    async withLock(bucket, externalImageId, work) {
      const key = externalIdLockKey(prefix, collectionId, bucket, externalImageId);
      const token = randomUUID();
      if ((await redis.set(key, token, "PX", ttlMs, "NX")) !== "OK") {
        throw new LockBusyError(`Another request for external id ${externalImageId} is in progress`);
      }
      // Renewal keeps long IndexFaces calls (slow engine, SDK retries) covered without a long TTL.
      const renewal = setInterval(
        () => void RENEW(redis, [key], [token, String(ttlMs)]).catch(() => undefined),
        renewMs,
      );
      try {
        return await work();
      } finally {
        clearInterval(renewal);
        // If the release fails the key still expires within ttlMs; the work's result stands.
        await deleteIfValue(redis, [key], [token]).catch(() => undefined);
      }
    },
  };
}
