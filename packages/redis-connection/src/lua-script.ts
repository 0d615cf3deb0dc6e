/**
 * A Lua script run by its SHA1 (EVALSHA), sent in full (EVAL) only when Redis does not have it cached yet
 * (after a restart, a failover, or on a cluster node that never saw it). EVAL on every call sends the whole
 * script text and makes Redis hash it each time: on the job path that was a large share of the worker's
 * Redis writes. ioredis's own `defineCommand` does the same but adds a method to the shared client at
 * wiring time (and a cast at every call site); this keeps each script beside the code that owns it.
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

export type ScriptRedis = Pick<Redis, "evalsha" | "eval">;

export type LuaScript = (redis: ScriptRedis, keys: string[], args: (string | number)[]) => Promise<unknown>;

export function luaScript(source: string): LuaScript {
  const sha = createHash("sha1").update(source).digest("hex");
  return async (redis, keys, args) => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      // NOSCRIPT means the script did not run, so sending it in full cannot run it twice.
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return redis.eval(source, keys.length, ...keys, ...args);
    }
  };
}
