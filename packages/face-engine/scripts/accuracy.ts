/**
 * Measures the neural face engine on a labelled fixtures folder (default: the repo's fixtures; the full
 * set is /work/shared/fixtures/faces). Prints figures; asserts nothing.
 *   pnpm --filter @faceindex/face-engine accuracy [dir] [--pad=0.25] [--threads=2] [--json=out.json]
 * --pad: border of the fallback detection pass (0 = never pad); --json: per-image results for calibration.
 * dir/labels.json maps "folder/file.jpg" -> { identity?, faces }; without it, counts come from the folder
 * name (noface = 0, group = 2, else 1) and identities from the file name before "_".
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import {
  faceDistance,
  MATCH_DISTANCE,
  similarityFromDistance,
  unindexedReasons,
  type AnalysedImage,
} from "../src/index.ts";
import { createNeuralPool } from "../src/neural/neural-pool.ts";

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const dir = args.find((a) => !a.startsWith("--")) ?? new URL("../../testing/fixtures/faces/", import.meta.url).pathname;
const padRatio = Number(flag("pad") ?? 0.25);
const threads = Number(flag("threads") ?? availableParallelism());

interface Label {
  identity?: string;
  faces: number;
}
const labelsPath = join(dir, "labels.json");
const labels: Record<string, Label> = existsSync(labelsPath) ? JSON.parse(readFileSync(labelsPath, "utf8")) : {};
const files = readdirSync(dir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(join(dir, d.name))
      .filter((f) => /\.(jpe?g|png)$/i.test(f))
      .map((f) => `${d.name}/${f}`),
  );
const labelOf = (file: string): Label => {
  const folder = file.split("/")[0]!;
  const base = file.split("/")[1]!.replace(/\.\w+$/, "");
  return labels[file] ?? { faces: folder === "noface" ? 0 : folder === "group" ? 2 : 1, identity: base.split("_")[0] };
};

const engine = await createNeuralPool({ threads, log: () => {}, analyser: { padRatio } });
const started = performance.now();
const results = new Map<string, AnalysedImage>();
await Promise.all(files.map(async (f) => results.set(f, await engine.analyse(readFileSync(join(dir, f))))));
const seconds = (performance.now() - started) / 1000;
await engine.close();
console.log(`${files.length} images in ${seconds.toFixed(1)} s with ${threads} thread(s), pad ${padRatio}\n`);

console.log("Face count (expected = labels.json):");
for (const folder of [...new Set(files.map((f) => f.split("/")[0]!))].sort()) {
  const inFolder = files.filter((f) => f.startsWith(folder + "/"));
  const misses = inFolder.filter((f) => results.get(f)!.faces.length !== labelOf(f).faces);
  console.log(`  ${folder}: ${inFolder.length - misses.length}/${inFolder.length} correct`);
  for (const f of misses)
    console.log(`    miss ${f}: expected ${labelOf(f).faces}, got ${results.get(f)!.faces.length}`);
}

const autoMisses = files.filter((f) => {
  const r = results.get(f)!;
  return r.faces.filter((face) => unindexedReasons(face, r, "AUTO").length === 0).length !== labelOf(f).faces;
});
console.log(
  `  counting only faces that pass QualityFilter AUTO: ${files.length - autoMisses.length}/${files.length} correct${autoMisses.map((f) => `\n    miss ${f}`).join("")}`,
);

// Identity pairs over single-face photos whose face count was right (one descriptor each).
const known = files.filter((f) => labelOf(f).faces === 1 && labelOf(f).identity && results.get(f)!.faces.length === 1);
const same: number[] = [];
const different: number[] = [];
for (let i = 0; i < known.length; i++) {
  for (let j = i + 1; j < known.length; j++) {
    const a = known[i]!;
    const b = known[j]!;
    const d = faceDistance(results.get(a)!.faces[0]!.descriptor, results.get(b)!.faces[0]!.descriptor);
    (labelOf(a).identity === labelOf(b).identity ? same : different).push(d);
  }
}
same.sort((x, y) => x - y);
different.sort((x, y) => x - y);
const pct = (v: number[], p: number): number => v[Math.min(v.length - 1, Math.floor((p / 100) * v.length))] ?? NaN;
const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
const f3 = (v: number): string => v.toFixed(3);
console.log(`\nDistances of unit descriptors (${known.length} single-face photos):`);
console.log(
  `  same person   (${same.length} pairs): min ${f3(same[0]!)} mean ${f3(mean(same))} p99 ${f3(pct(same, 99))} max ${f3(same.at(-1)!)}`,
);
console.log(
  `  different     (${different.length} pairs): min ${f3(different[0]!)} p0.1 ${f3(pct(different, 0.1))} p1 ${f3(pct(different, 1))} mean ${f3(mean(different))}`,
);

// The distance threshold with the fewest errors, weighting both kinds of error by their rate.
let best = { t: 0, cost: Infinity };
for (let t = 0.2; t <= 1.2; t += 0.005) {
  const cost =
    same.filter((d) => d > t).length / same.length + different.filter((d) => d <= t).length / different.length;
  if (cost < best.cost) best = { t, cost };
}
const rates = (t: number): string =>
  `true-match ${((100 * same.filter((d) => d <= t).length) / same.length).toFixed(2)}%, ` +
  `false-match ${((100 * different.filter((d) => d <= t).length) / different.length).toFixed(3)}%`;
console.log(`  best separating distance ${f3(best.t)}: ${rates(best.t)}`);
console.log(
  `  chosen MATCH_DISTANCE ${f3(MATCH_DISTANCE)} (similarity ${similarityFromDistance(MATCH_DISTANCE).toFixed(1)}): ${rates(MATCH_DISTANCE)}`,
);

// Quality figures over the KYC-style photos: every one of them should pass AUTO.
const kyc = files.filter((f) => /^(people|same)\//.test(f));
const faces = kyc.flatMap((f) =>
  results
    .get(f)!
    .faces.slice(0, 1)
    .map((face) => ({ f, face, img: results.get(f)! })),
);
const stat = (name: string, values: number[]): void =>
  console.log(
    `  ${name.padEnd(22)} min ${values
      .reduce((a, b) => Math.min(a, b))
      .toFixed(1)
      .padStart(6)}  mean ${mean(values).toFixed(1).padStart(6)}  max ${values
      .reduce((a, b) => Math.max(a, b))
      .toFixed(1)
      .padStart(6)}`,
  );
console.log(`\nLargest face of each people/ and same/ photo (${faces.length}):`);
stat(
  "confidence",
  faces.map((x) => x.face.confidence),
);
stat(
  "face side px",
  faces.map((x) => Math.min(x.face.box.width * x.img.width, x.face.box.height * x.img.height)),
);
stat(
  "sharpness",
  faces.map((x) => x.face.quality.sharpness),
);
stat(
  "brightness",
  faces.map((x) => x.face.quality.brightness),
);
stat(
  "yaw",
  faces.map((x) => x.face.pose.yaw),
);
stat(
  "pitch",
  faces.map((x) => x.face.pose.pitch),
);
stat(
  "roll",
  faces.map((x) => x.face.pose.roll),
);
const rejected = faces.filter((x) => unindexedReasons(x.face, x.img, "AUTO").length > 0);
console.log(
  `  rejected by AUTO: ${rejected.length}${rejected.map((x) => `\n    ${x.f}: ${unindexedReasons(x.face, x.img, "AUTO").join(",")}`).join("")}`,
);
const weakest = files
  .flatMap((f) => results.get(f)!.faces.map((face) => ({ f, c: face.confidence })))
  .sort((a, b) => a.c - b.c)
  .slice(0, 5);
console.log(`  weakest detections: ${weakest.map((w) => `${w.f} ${w.c.toFixed(1)}`).join(", ")}`);

const jsonOut = flag("json");
if (jsonOut) {
  const dump = Object.fromEntries(
    [...results].map(([f, r]) => [f, { ...r, faces: r.faces.map((x) => ({ ...x, descriptor: [...x.descriptor] })) }]),
  );
  writeFileSync(jsonOut, JSON.stringify(dump));
}
