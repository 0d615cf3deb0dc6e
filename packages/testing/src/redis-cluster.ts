/**
 * A throwaway three-node Redis Cluster from the local redis-server binary (no replicas): each node on a
 * free port with its own temp directory, joined with `redis-cli --cluster create`. For tests only.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { freePort } from "./free-port.ts";

const run = promisify(execFile);
// Starting, joining and agreeing on the slots takes a second or two; the slack covers a busy machine.
const READY_ATTEMPTS = 200;
const READY_POLL_MS = 100;

export interface RedisCluster {
  /** redis://127.0.0.1:<port> of each node; any one is a seed. */
  urls: string[];
  /** A node that does not serve `key`'s slot: a client that is not cluster-aware fails there with MOVED. */
  urlNotServing(key: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startRedisCluster(nodes = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), "faceindex-cluster-"));
  const ports: number[] = [];
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGKILL");
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < nodes; i++) {
      const port = await freePort();
      ports.push(port);
      const child = spawn(
        "redis-server",
        [
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          join(dir, `nodes-${port}.conf`),
          // A dead node is noticed quickly (tests never kill one, but a slow start must not stall the vote).
          "--cluster-node-timeout",
          "2000",
          "--dir",
          dir,
          "--save",
          "",
          "--appendonly",
          "no",
        ],
        { stdio: "ignore" },
      );
      children.push(child);
    }
    for (const port of ports) await until(async () => (await cli(port, "ping")) === "PONG");
    await run("redis-cli", [
      "--cluster",
      "create",
      ...ports.map((port) => `127.0.0.1:${port}`),
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ]);
    for (const port of ports)
      await until(async () => (await cli(port, "cluster", "info")).includes("cluster_state:ok"));
    const urls = ports.map((port) => `redis://127.0.0.1:${port}`);
    const urlNotServing = async (key: string) => {
      const node = new Redis(urls[0]!);
      try {
        const slot = (await node.cluster("KEYSLOT", key)) as number;
        const ranges = await node.cluster("SLOTS");
        const owner = ranges.find(([start, end]) => slot >= start && slot <= end)?.[2]?.[1];
        const other = ports.find((port) => port !== owner);
        if (!other) throw new Error(`no node other than ${owner} serves the cluster`);
        return `redis://127.0.0.1:${other}`;
      } finally {
        node.disconnect();
      }
    };
    return { urls, urlNotServing, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run("redis-cli", ["-p", String(port), ...args]).catch(() => ({ stdout: "" }));
  return stdout.trim();
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < READY_ATTEMPTS; i++) {
    if (await check()) return;
    await sleep(READY_POLL_MS);
  }
  throw new Error("the Redis Cluster did not come up");
}
