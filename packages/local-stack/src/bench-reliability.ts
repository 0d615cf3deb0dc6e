/**
 * `pnpm bench:reliability`: two figures behind the README's Reliability section, on 127.0.0.1 only.
 * 1. Waiters: WAITERS requests wait at once with no worker running; prints the API's CPU and Redis's
 *    command rate while they wait (the polling safety net's cost).
 * 2. Overload: OVERLOAD_CLIENTS concurrent clients, 10x the 16 job slots of 2 workers (8 each, 200 ms
 *    per IndexFaces), with MAX_BACKLOG 100; prints the answers (200 / 503) and the API's peak RSS.
 */
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { startThrowawayStack, type ThrowawayStack } from "./throwaway-stack.ts";

const waiters = Number(process.env.WAITERS ?? 1000);
const overloadClients = Number(process.env.OVERLOAD_CLIENTS ?? 160);
const overloadRequests = Number(process.env.OVERLOAD_REQUESTS ?? 3000);
const image = readFileSync(
  fileURLToPath(new URL("../../testing/fixtures/faces/same/obama_1.jpg", import.meta.url)),
).toString("base64");

async function withStack(
  workers: number,
  env: NodeJS.ProcessEnv,
  run: (stack: ThrowawayStack) => Promise<void>,
): Promise<void> {
  const stack = await startThrowawayStack({
    name: "bench-reliability",
    faceEngine: "load-test",
    workers,
    stdio: "ignore",
    extraEnv: { LOG_LEVEL: "error", LOAD_TEST_LATENCY_MS: "50", WORKER_CONCURRENCY: "16", ...env },
  });
  try {
    await run(stack);
  } finally {
    await stack.stop();
  }
}

function post(stack: ThrowawayStack, i: number, signal?: AbortSignal): Promise<Response> {
  return fetch(`${stack.apiUrl}/index_faces`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
    body: JSON.stringify({ image, bucket: stack.bucket, image_key: `b/${i}.jpg`, external_image_id: `bench-${i}` }),
    ...(signal ? { signal } : {}),
  });
}

/** CPU seconds (user + system) the process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
}

function rssMb(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024;
}

await withStack(
  0,
  { SYNC_TIMEOUT_MS: "25000", MAX_BACKLOG: String(waiters * 2), MAX_IN_FLIGHT: String(waiters * 2) },
  async (stack) => {
    const pid = stack.api.child.pid!;
    const redis = new Redis(stack.redisUrl);
    const pending = Array.from({ length: waiters }, (_, i) =>
      post(stack, i)
        .then((r) => r.status)
        .catch(() => 0),
    );
    await sleep(5_000); // every request parked, enqueued and waiting
    const commands = async () => Number((await redis.info("stats")).match(/total_commands_processed:(\d+)/)?.[1]);
    const [cpu0, cmd0, t0] = [cpuSeconds(pid), await commands(), performance.now()];
    await sleep(10_000);
    const [cpu1, cmd1, t1] = [cpuSeconds(pid), await commands(), performance.now()];
    const seconds = (t1 - t0) / 1000;
    console.log(`waiting: ${waiters} requests waiting at once, no worker, over ${seconds.toFixed(1)} s`);
    console.log(
      `  api CPU ${(((cpu1 - cpu0) / seconds) * 100).toFixed(1)}% of one core, redis ${((cmd1 - cmd0) / seconds).toFixed(0)} commands/s, api RSS ${rssMb(pid).toFixed(0)} MB`,
    );
    const statuses = await Promise.all(pending);
    console.log(
      `  then answered: ${JSON.stringify(countBy(statuses))} (504 = still waiting at the sync timeout, job kept)`,
    );
    redis.disconnect();
  },
);

await withStack(
  2,
  { MAX_BACKLOG: "100", SYNC_TIMEOUT_MS: "30000", WORKER_CONCURRENCY: "8", LOAD_TEST_LATENCY_MS: "200" },
  async (stack) => {
    const pid = stack.api.child.pid!;
    const idleRss = rssMb(pid);
    let peakRss = idleRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(pid))), 100);
    const statuses: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: overloadClients }, async () => {
        while (next < overloadRequests) {
          const response = await post(stack, next++);
          await response.arrayBuffer();
          statuses.push(response.status);
        }
      }),
    );
    clearInterval(sampler);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `overload: ${overloadClients} clients, ${overloadRequests} requests, MAX_BACKLOG 100, 2 workers x 8 slots, ${seconds.toFixed(1)} s`,
    );
    console.log(
      `  answers ${JSON.stringify(countBy(statuses))}, ${((countBy(statuses)[200] ?? 0) / seconds).toFixed(1)} indexed/s`,
    );
    console.log(`  api RSS idle ${idleRss.toFixed(0)} MB, peak ${peakRss.toFixed(0)} MB`);
  },
);

function countBy(values: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
