/**
 * Calibrates MATCH_DISTANCE (src/similarity.ts) from `accuracy --part=all --json=file`'s distances (prints
 * figures; asserts nothing). Similarity 80 falls on MATCH_DISTANCE, so at the default threshold a pair
 * matches when its distance is at most MATCH_DISTANCE, whatever STEEPNESS is: only MATCH_DISTANCE moves the
 * figures at 80.
 *   pnpm --filter @faceindex/face-engine exec tsx scripts/calibrate.ts file.json [--part=tuning|held-out]
 * Reads only the part named (tuning by default): choose on tuning, then check the choice once on held-out.
 * Last, the same figures at similarity 75, 80, 90, 95 and 99 on the file's face model's scale.
 * Per candidate distance: genuine misses and false matches pooled over the hard conditions, and false
 * matches on the clean fixtures' impostor pairs; the pick is the candidate with the fewest hard misses whose
 * false matches stay within MAX_FALSE_MATCH on both.
 */
import { readFileSync } from "node:fs";
import { distanceFromSimilarity, FACE_MODEL_7, requireFaceModel } from "../src/index.ts";
import type { CalibrationDump } from "./evaluation/calibration-dump.ts";

/** The limit: at most 0.1 % of impostor pairs reach similarity 80. */
const MAX_FALSE_MATCH = 0.001;

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--"));
const part = args.find((a) => a.startsWith("--part="))?.split("=")[1] ?? "tuning";
if (!file) throw new Error("usage: calibrate.ts file.json [--part=tuning|held-out]");
const dump = JSON.parse(readFileSync(file, "utf8")) as CalibrationDump;
const conditions = dump.parts[part];
if (!conditions) throw new Error(`${file} has no part ${part} (it has ${Object.keys(dump.parts).join(", ")})`);
const model = requireFaceModel(dump.faceModel ?? FACE_MODEL_7.version);
const MATCH_DISTANCE = model.matchDistance;
const clean = dump.cleanPairs;
if (!clean) throw new Error(`${file} has no clean pairs: write it with --part=all`);

const within = (distances: number[], t: number): number => distances.filter((d) => d <= t).length;
const percent = (n: number, of: number): string => `${((100 * n) / of).toFixed(2)} (${n}/${of})`;
const all = Object.values(conditions);
const genuinePairs = all.reduce((n, c) => n + c.genuinePairs, 0);
const impostorPairs = all.reduce((n, c) => n + c.impostorPairs, 0);

function figures(t: number) {
  const misses = genuinePairs - all.reduce((n, c) => n + within(c.genuine, t), 0);
  const falseHard = all.reduce((n, c) => n + within(c.impostors, t), 0);
  const falseClean = within(clean!.different, t);
  return { t, misses, falseHard, falseClean };
}

console.log(`${file}, face model ${model.version}, part ${part}: ${Object.keys(conditions).join(", ")}`);
console.log(
  "| MATCH_DISTANCE | hard genuine missed % | hard false match % | clean false match % | clean same-person missed % |",
);
console.log("| -------------: | ---: | ---: | ---: | ---: |");
// 21 candidates around the model's figure, 0.005 apart for 7.0 and as far apart relative to it for others.
const step = 0.005 * (MATCH_DISTANCE / FACE_MODEL_7.matchDistance);
const candidates = Array.from({ length: 21 }, (_, i) => Math.round((MATCH_DISTANCE + (i - 10) * step) * 1e4) / 1e4);
if (!candidates.includes(MATCH_DISTANCE)) candidates.push(MATCH_DISTANCE);
const rows = candidates.sort((a, b) => a - b).map(figures);
for (const r of rows) {
  const mark = r.t === MATCH_DISTANCE ? " (today)" : "";
  console.log(
    `| ${r.t.toFixed(3)}${mark} | ${percent(r.misses, genuinePairs)} | ${percent(r.falseHard, impostorPairs)} | ` +
      `${percent(r.falseClean, clean.different.length)} | ${percent(clean.same.length - within(clean.same, r.t), clean.same.length)} |`,
  );
}
const allowed = rows.filter(
  (r) => r.falseHard <= MAX_FALSE_MATCH * impostorPairs && r.falseClean <= MAX_FALSE_MATCH * clean.different.length,
);
const pick = allowed.sort((a, b) => a.misses - b.misses || a.t - b.t)[0];
console.log(
  pick
    ? `pick: MATCH_DISTANCE ${pick.t.toFixed(3)}: hard genuine missed ${percent(pick.misses, genuinePairs)} %`
    : "no candidate keeps false matches within the limit",
);

// What other thresholds mean on this model's scale (only 80 is calibrated; dedupe defaults to 90, AssociateFaces to 75).
console.log(`\n| similarity | distance | hard genuine missed % | hard false match % | clean false match % |`);
console.log("| ---: | ---: | ---: | ---: | ---: |");
for (const similarity of [75, 80, 90, 95, 99]) {
  const r = figures(distanceFromSimilarity(similarity, model));
  console.log(
    `| ${similarity} | ${r.t.toFixed(3)} | ${percent(r.misses, genuinePairs)} | ${percent(r.falseHard, impostorPairs)} | ` +
      `${percent(r.falseClean, clean.different.length)} |`,
  );
}
