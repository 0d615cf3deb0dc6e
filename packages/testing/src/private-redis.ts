/**
 * A redis-server of the test's own (free port, temporary --dir, no persistence), for tests that change
 * its configuration (CONFIG SET maxmemory) or start it late; the shared test Redis is never touched.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "./free-port.ts";

export interface PrivateRedis {
  url: string;
  /** A plain client, e.g. for CONFIG SET. */
  client: Redis;
  stop(): Promise<void>;
}

export async function startPrivateRedis(port?: number): Promise<PrivateRedis> {
  const chosen = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "faceindex-test-redis-"));
  const child: ChildProcess = spawn(
    "redis-server",
    [
      "--port",
      String(chosen),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "no",
      "--maxmemory-policy",
      "noeviction",
    ],
    { stdio: "ignore" },
  );
  const url = `redis://127.0.0.1:${chosen}`;
  // Reconnects until the server is up (it takes a few milliseconds to bind).
  const client = new Redis(url, { retryStrategy: () => 50 });
  client.on("error", () => {});
  await new Promise<void>((resolve) => client.once("ready", () => resolve()));
  return {
    url,
    client,
    async stop() {
      client.disconnect();
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
