/**
 * Face engine benchmarks (prints figures; asserts nothing). Keep runs short: the machine is shared.
 *   pnpm --filter @faceindex/face-engine bench [--images=40] [--faces=100000] [--queries=200]
 * 1. Neural analysis: ms per image on 1 thread, then images/s with the pool (one thread per core),
 *    over the first N fixture images (people/ then same/).
 * 2. 1:N search: p50/p99 ms per query over F random unit vectors, and the memory they take.
 */
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { createFaceEngine, createFaceVectorIndex, DESCRIPTOR_LENGTH } from "../src/index.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number =>
  Number(args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const imageCount = flag("images", 40);
const faceCount = flag("faces", 100_000);
const queryCount = flag("queries", 200);

const dir = new URL("../../testing/fixtures/faces/", import.meta.url).pathname;
const shared = "/work/shared/fixtures/faces/";
const source = (() => {
  try {
    readdirSync(shared);
    return shared;
  } catch {
    return dir;
  }
})();
const all = ["people", "same"].flatMap((d) =>
  readdirSync(join(source, d)).map((f) => readFileSync(join(source, d, f))),
);
const images = Array.from({ length: imageCount }, (_, i) => all[i % all.length]!);
const percentile = (ms: number[], p: number): number =>
  [...ms].sort((a, b) => a - b)[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))]!;

console.log(`Neural engine over ${images.length} images from ${source}`);
{
  const engine = await createFaceEngine({ mode: "neural", threads: 1, log: () => {} });
  await engine.analyse(images[0]!); // warm-up: first inference compiles wasm kernels
  const times: number[] = [];
  for (const image of images) {
    const t = performance.now();
    await engine.analyse(image);
    times.push(performance.now() - t);
  }
  await engine.close();
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  console.log(
    `  1 thread: mean ${mean.toFixed(0)} ms/image, p50 ${percentile(times, 50).toFixed(0)}, p99 ${percentile(times, 99).toFixed(0)} (${(1000 / mean).toFixed(2)} images/s)`,
  );
}
{
  const threads = availableParallelism();
  const engine = await createFaceEngine({ mode: "neural", threads, log: () => {} });
  await Promise.all(Array.from({ length: threads }, () => engine.analyse(images[0]!)));
  const t = performance.now();
  await Promise.all(images.map((image) => engine.analyse(image)));
  const seconds = (performance.now() - t) / 1000;
  await engine.close();
  console.log(
    `  pool of ${threads} threads: ${(images.length / seconds).toFixed(2)} images/s (${seconds.toFixed(1)} s for ${images.length})`,
  );
}

console.log(`\n1:N search over ${faceCount} random unit descriptors, ${queryCount} queries`);
{
  const heapBefore = process.memoryUsage();
  const index = createFaceVectorIndex();
  const random = (): Float32Array => Float32Array.from({ length: DESCRIPTOR_LENGTH }, () => Math.random() * 2 - 1);
  const t = performance.now();
  for (let i = 0; i < faceCount; i++) index.add(`face-${i}`, random());
  const buildMs = performance.now() - t;
  const heapAfter = process.memoryUsage();
  const times: number[] = [];
  for (let q = 0; q < queryCount; q++) {
    const query = random();
    const s = performance.now();
    index.search(query, { maxResults: 10, minSimilarity: 0 });
    times.push(performance.now() - s);
  }
  const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);
  console.log(`  build ${buildMs.toFixed(0)} ms; vectors ${mb(index.serialise().vectors.byteLength)} MB raw`);
  console.log(
    `  memory growth: heap ${mb(heapAfter.heapUsed - heapBefore.heapUsed)} MB, array buffers ${mb(heapAfter.arrayBuffers - heapBefore.arrayBuffers)} MB, rss ${mb(heapAfter.rss - heapBefore.rss)} MB`,
  );
  console.log(
    `  search (maxResults 10, minSimilarity 0): p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms`,
  );
  const strict: number[] = [];
  for (let q = 0; q < queryCount; q++) {
    const query = random();
    const s = performance.now();
    index.search(query, { maxResults: 4096, minSimilarity: 80 });
    strict.push(performance.now() - s);
  }
  console.log(
    `  search (maxResults 4096, minSimilarity 80): p50 ${percentile(strict, 50).toFixed(2)} ms, p99 ${percentile(strict, 99).toFixed(2)} ms`,
  );
}
