/**
 * Deletes KEYS[1] only while it still holds ARGV[1]: how a holder gives up a lock or a claim without
 * removing one that lapsed and was taken by someone else meanwhile. Returns 1 when it deleted, else 0.
 */
import { luaScript } from "./lua-script.ts";

export const deleteIfValue = luaScript(
  `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`,
);
