/**
 * Today's figures on the clean fixtures: face counts per folder, distances of same and different people,
 * the best separating distance, and the quality figures of the portraits (README.md cites them).
 */
import { faceDistance, faceModelOfLength, similarityFromDistance, unindexedReasons } from "../../src/index.ts";
import type { AnalysedImage } from "../../src/index.ts";
import type { Fixture } from "./fixtures.ts";

const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
const f3 = (v: number): string => v.toFixed(3);
const pctile = (v: number[], p: number): number => v[Math.min(v.length - 1, Math.floor((p / 100) * v.length))] ?? NaN;

/** Prints the figures; returns the pairs' distances (sorted) for calibration. */
export function printCleanFigures(
  fixtures: Fixture[],
  results: Map<string, AnalysedImage>,
): { same: number[]; different: number[] } {
  console.log("Face count (expected = labels.json):");
  for (const folder of [...new Set(fixtures.map((f) => f.folder))].sort()) {
    const inFolder = fixtures.filter((f) => f.folder === folder);
    const misses = inFolder.filter((f) => results.get(f.file)!.faces.length !== f.label.faces);
    console.log(`  ${folder}: ${inFolder.length - misses.length}/${inFolder.length} correct`);
    for (const f of misses)
      console.log(`    miss ${f.file}: expected ${f.label.faces}, got ${results.get(f.file)!.faces.length}`);
  }
  const autoMisses = fixtures.filter((f) => {
    const r = results.get(f.file)!;
    return r.faces.filter((face) => unindexedReasons(face, r, "AUTO").length === 0).length !== f.label.faces;
  });
  console.log(
    `  counting only faces that pass QualityFilter AUTO: ${fixtures.length - autoMisses.length}/${fixtures.length} correct${autoMisses.map((f) => `\n    miss ${f.file}`).join("")}`,
  );

  // Identity pairs over single-face photos whose face count was right (one descriptor each).
  const known = fixtures.filter((f) => f.identity && results.get(f.file)!.faces.length === 1);
  const same: number[] = [];
  const different: number[] = [];
  for (let i = 0; i < known.length; i++) {
    for (let j = i + 1; j < known.length; j++) {
      const [a, b] = [known[i]!, known[j]!];
      const d = faceDistance(results.get(a.file)!.faces[0]!.descriptor, results.get(b.file)!.faces[0]!.descriptor);
      (a.identity === b.identity ? same : different).push(d);
    }
  }
  same.sort((x, y) => x - y);
  different.sort((x, y) => x - y);
  console.log(`\nDistances of unit descriptors (${known.length} single-face photos):`);
  console.log(
    `  same person   (${same.length} pairs): min ${f3(same[0]!)} mean ${f3(mean(same))} p99 ${f3(pctile(same, 99))} max ${f3(same.at(-1)!)}`,
  );
  console.log(
    `  different     (${different.length} pairs): min ${f3(different[0]!)} p0.1 ${f3(pctile(different, 0.1))} p1 ${f3(pctile(different, 1))} mean ${f3(mean(different))}`,
  );
  let best = { t: 0, cost: Infinity };
  for (let t = 0.1; t <= 1.6; t += 0.005) {
    const cost =
      same.filter((d) => d > t).length / same.length + different.filter((d) => d <= t).length / different.length;
    if (cost < best.cost) best = { t, cost };
  }
  const rates = (t: number): string =>
    `true-match ${((100 * same.filter((d) => d <= t).length) / same.length).toFixed(2)}%, ` +
    `false-match ${((100 * different.filter((d) => d <= t).length) / different.length).toFixed(3)}%`;
  console.log(`  best separating distance ${f3(best.t)}: ${rates(best.t)}`);
  const [first] = [...results.values()].flatMap((r) => r.faces);
  if (first) {
    const model = faceModelOfLength(first.descriptor.length);
    const at = model.matchDistance;
    console.log(
      `  face model ${model.version}'s matchDistance ${f3(at)} (similarity ${similarityFromDistance(at, model).toFixed(1)}): ${rates(at)}`,
    );
  }

  // Quality figures over the KYC-style photos: every one of them should pass AUTO.
  const portraits = fixtures
    .filter((f) => f.folder === "people" || f.folder === "same")
    .flatMap((f) => {
      const img = results.get(f.file)!;
      return img.faces.slice(0, 1).map((face) => ({ f: f.file, face, img }));
    });
  const stat = (name: string, values: number[]): void =>
    console.log(
      `  ${name.padEnd(14)} min ${Math.min(...values)
        .toFixed(1)
        .padStart(6)}  mean ${mean(values).toFixed(1).padStart(6)}  max ${Math.max(...values)
        .toFixed(1)
        .padStart(6)}`,
    );
  console.log(`\nLargest face of each people/ and same/ photo (${portraits.length}):`);
  stat(
    "confidence",
    portraits.map((x) => x.face.confidence),
  );
  stat(
    "face side px",
    portraits.map((x) => Math.min(x.face.box.width * x.img.width, x.face.box.height * x.img.height)),
  );
  for (const k of ["sharpness", "brightness"] as const)
    stat(
      k,
      portraits.map((x) => x.face.quality[k]),
    );
  for (const k of ["yaw", "pitch", "roll"] as const)
    stat(
      k,
      portraits.map((x) => x.face.pose[k]),
    );
  const rejected = portraits.filter((x) => unindexedReasons(x.face, x.img, "AUTO").length > 0);
  console.log(
    `  rejected by AUTO: ${rejected.length}${rejected.map((x) => `\n    ${x.f}: ${unindexedReasons(x.face, x.img, "AUTO").join(",")}`).join("")}`,
  );
  return { same, different };
}
