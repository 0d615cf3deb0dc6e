/**
 * The stack's own redis-server is never left running: not when it fails to answer at start, and not
 * when it died on a signal before stop() (stop must still return and stop the rest).
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { freePort } from "@faceindex/testing";
import { afterEach, describe, expect, it } from "vitest";
import { findOrStartRedis, RedisUnavailableError } from "../src/redis-server.ts";
import { startThrowawayStack, type ThrowawayStack } from "../src/throwaway-stack.ts";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return true;
    await sleep(50);
  }
  return false;
}

describe("the stack's redis-server", () => {
  it("is stopped when it does not answer PING in time", async () => {
    // A redis-server on PATH that starts but never answers (e.g. still loading a large AOF).
    const dir = mkdtempSync(join(tmpdir(), "faceindex-fake-redis-"));
    const pidFile = join(dir, "pid");
    writeFileSync(
      join(dir, "redis-server"),
      `#!/bin/sh\n[ "$1" = "--version" ] && exit 0\necho $$ > ${pidFile}\nexec sleep 120\n`,
    );
    chmodSync(join(dir, "redis-server"), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${dir}:${path}`;
    cleanups.push(() => {
      process.env.PATH = path;
      if (existsSync(pidFile) && isRunning(Number(readFileSync(pidFile, "utf8"))))
        process.kill(Number(readFileSync(pidFile, "utf8")), "SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    });

    await expect(findOrStartRedis({ port: await freePort(), dataDir: join(dir, "data") })).rejects.toBeInstanceOf(
      RedisUnavailableError,
    );

    expect(await gone(Number(readFileSync(pidFile, "utf8")), 3_000)).toBe(true);
  }, 30_000);

  it("stop() returns when the private redis-server died on a signal", async () => {
    const stack: ThrowawayStack = await startThrowawayStack({
      name: "redis-died",
      faceEngine: "load-test",
      workers: 0,
      stdio: "ignore",
    });
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) await Promise.race([stack.stop(), sleep(5_000)]);
    });
    const redis = new Redis(stack.redisUrl);
    const pid = Number((await redis.info("server")).match(/process_id:(\d+)/)?.[1]);
    redis.disconnect();
    process.kill(pid, "SIGKILL");
    expect(await gone(pid, 3_000)).toBe(true);

    const result = await Promise.race([stack.stop().then(() => "stopped"), sleep(15_000).then(() => "hung")]);
    stopped = result === "stopped";

    expect(result).toBe("stopped");
    expect(isRunning(stack.api.child.pid!)).toBe(false);
    expect(isRunning(stack.rekognition.child.pid!)).toBe(false);
  }, 120_000);
});
