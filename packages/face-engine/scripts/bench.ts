/**
 * Face engine benchmarks (prints figures; asserts nothing). Keep runs short: the machine is shared.
 *   pnpm --filter @faceindex/face-engine bench [--images=40] [--faces=1000000] [--queries=300] [--model=8.0]
 *     [--images=0] [--faces=0]
 * 1. Neural analysis: ms per image on 1 thread (the latest face model), then images/s with the pool (one thread
 *    per core) for face model 7.0 and the latest, over the first N fixture images (people/ then same/); --images=0
 *    skips it.
 * 2. A million faces (bench/million-faces.ts) of face model --model (default the latest): add rate, memory, load
 *    time, SearchFaces p50/p99 and recall.
 */
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { loadavg } from "node:os";
import { createFaceEngine, FACE_MODEL_7, LATEST_FACE_MODEL, requireFaceModel } from "../src/index.ts";
import { benchMillionFaces } from "./bench/million-faces.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number =>
  Number(args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const imageCount = flag("images", 40);
const faceCount = flag("faces", 1_000_000);
const queryCount = flag("queries", 300);
/** The million-face part's face model (its descriptor length sets the rows' and the graph's size). */
const millionModel = requireFaceModel(
  args.find((a) => a.startsWith("--model="))?.split("=")[1] ?? LATEST_FACE_MODEL.version,
);

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

console.log(
  `${new Date().toISOString()}: load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")} on ${availableParallelism()} cores`,
);
if (imageCount > 0) {
  console.log(`Neural engine over ${images.length} images from ${source}`);
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
if (imageCount > 0) {
  // Images/s of the pool for each face model, the older one first as the baseline of the same run.
  const threads = availableParallelism();
  const engine = await createFaceEngine({ mode: "neural", threads, log: () => {} });
  const rates: number[] = [];
  for (const model of [FACE_MODEL_7, LATEST_FACE_MODEL]) {
    const options = { faceModel: model.version };
    await Promise.all(Array.from({ length: threads }, () => engine.analyse(images[0]!, options)));
    const t = performance.now();
    await Promise.all(images.map((image) => engine.analyse(image, options)));
    const seconds = (performance.now() - t) / 1000;
    rates.push(images.length / seconds);
    console.log(
      `  pool of ${threads} threads, face model ${model.version}: ${rates.at(-1)!.toFixed(2)} images/s (${seconds.toFixed(1)} s for ${images.length})`,
    );
  }
  await engine.close();
  console.log(
    `  face model ${LATEST_FACE_MODEL.version} / ${FACE_MODEL_7.version}: ${(rates[1]! / rates[0]!).toFixed(2)}x the images/s`,
  );
}

// --faces=0: the neural figures only (no collection to search).
if (faceCount > 0) benchMillionFaces(faceCount, queryCount, millionModel);
