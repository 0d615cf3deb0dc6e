/**
 * `pnpm bench` (pipeline part): the API -> queue -> worker -> S3 -> Rekognition path under load, with the
 * local Rekognition server in load-test mode (fixed latency, no neural networks) so the figures measure the
 * pipeline's own cost. Prints throughput, latency percentiles and the API's memory. Bounded: REQUESTS
 * requests at CONCURRENCY, against 127.0.0.1 only.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startThrowawayStack } from "./throwaway-stack.ts";

const requests = Number(process.env.REQUESTS ?? 400);
const concurrency = Number(process.env.CONCURRENCY ?? 16);
const workers = Number(process.env.WORKERS ?? 2);
const photo = readFileSync(fileURLToPath(new URL("../../testing/fixtures/faces/same/obama_1.jpg", import.meta.url)));

const stack = await startThrowawayStack({
  name: "bench",
  faceEngine: "load-test",
  redisUrl: process.env.REDIS_URL,
  workers,
  extraEnv: { LOAD_TEST_LATENCY_MS: process.env.LOAD_TEST_LATENCY_MS ?? "50", WORKER_CONCURRENCY: "16" },
  stdio: "ignore",
});

try {
  const { token, bucket } = stack;
  const image = photo.toString("base64");
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const i = next++;
        const t0 = performance.now();
        const response = await fetch(`${stack.apiUrl}/index_faces`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ image, bucket, image_key: `b/${i}.jpg`, external_image_id: `bench-${i}` }),
        });
        await response.arrayBuffer();
        latencies.push(performance.now() - t0);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
  const rssMb =
    Number(readFileSync(`/proc/${stack.api.child.pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024;
  console.log(`pipeline (load-test engine, ${workers} workers, concurrency ${concurrency}, ${photo.length} B image)`);
  console.log(`  requests ${requests} in ${seconds.toFixed(1)} s = ${(requests / seconds).toFixed(1)} req/s`);
  console.log(`  statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  console.log(`  latency ms p50 ${pct(50)} p95 ${pct(95)} p99 ${pct(99)} max ${latencies.at(-1)!.toFixed(1)}`);
  console.log(`  api RSS ${rssMb.toFixed(0)} MB`);
} finally {
  await stack.stop();
}
