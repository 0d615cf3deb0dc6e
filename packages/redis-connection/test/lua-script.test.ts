/**
 * luaScript against the real Redis: the first call of a script Redis has never seen falls back to EVAL
 * (NOSCRIPT), later calls go by SHA1 only, and a script's own error is not mistaken for NOSCRIPT.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { luaScript } from "../src/lua-script.ts";

const redis = new Redis(inject("redisUrl"));
afterAll(async () => {
  await redis.quit();
});

/** Counts what the script helper sends, while the real client runs it. */
function countingClient() {
  const sent = { eval: 0, evalsha: 0 };
  const client = {
    eval: ((...args: Parameters<Redis["eval"]>) => {
      sent.eval += 1;
      return redis.eval(...args);
    }) as Redis["eval"],
    evalsha: ((...args: Parameters<Redis["evalsha"]>) => {
      sent.evalsha += 1;
      return redis.evalsha(...args);
    }) as Redis["evalsha"],
  };
  return { client, sent };
}

describe("luaScript", () => {
  it("sends the script once, then runs it by its SHA1", async () => {
    // A comment no other run has used: Redis has certainly not cached this text yet.
    const source = `-- ${randomUUID()}\nreturn redis.call("incrby", KEYS[1], ARGV[1])`;
    const incrBy = luaScript(source);
    const key = `lua-script-test:${randomUUID()}`;
    const { client, sent } = countingClient();

    expect(await incrBy(client, [key], [2])).toBe(2);
    expect(sent).toEqual({ eval: 1, evalsha: 1 });
    expect(await incrBy(client, [key], [3])).toBe(5);
    expect(await incrBy(client, [key], [4])).toBe(9);
    expect(sent).toEqual({ eval: 1, evalsha: 3 });
    await redis.del(key);
  });

  it("passes a script's own error through without running it again", async () => {
    const key = `lua-script-test:${randomUUID()}`;
    const failing = luaScript(`-- ${randomUUID()}\nredis.call("incr", KEYS[1])\nreturn redis.error_reply("boom")`);
    const { client, sent } = countingClient();
    await expect(failing(client, [key], [])).rejects.toThrow("boom");
    // Sent in full once (NOSCRIPT first): the key was incremented exactly once.
    expect(sent.eval).toBe(1);
    expect(await redis.get(key)).toBe("1");
    await redis.del(key);
  });
});
