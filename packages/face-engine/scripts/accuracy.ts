/**
 * The evaluation the face engine is judged by (prints figures; asserts nothing).
 *   pnpm --filter @faceindex/face-engine accuracy [dir] [--part=tuning|held-out|all] [--conditions=a,b]
 *     [--model=8.0] [--sample=1] [--threads=2] [--pad=0.25] [--align=1] [--mirror=1] [--full-frame=1] [--rescue=1] [--fast=1] [--contrast=1] [--dark=1] [--json=out.json]
 * dir: a labelled fixtures folder (default /work/shared/fixtures/faces when present, else the repo's copy).
 * 1. Today's figures on the clean photos (face counts, distances, quality); with --part=all only, since
 *    the other parts analyse just their own photos.
 * 2. Per hard condition (scripts/evaluation/conditions.ts) and part: detection, TAR at FAR, rank-1, FNIR
 *    at FPIR, genuine misses and false matches at the default threshold.
 * --part: the held-out identities (evaluation/fixtures.ts) are for reporting only; tune with the default.
 * --model: the FaceModelVersion whose descriptors are compared (face-models.ts; default LATEST_FACE_MODEL).
 * --sample: the fraction of probes kept per condition (chosen by a hash of the file name) to bound time.
 * --pad/--align/--mirror/--full-frame/--rescue: engine levers, to measure each one (evaluation/engine-levers in README).
 * --json: every part's distances per hard condition (and, with --part=all, the clean pairs' distances), for
 *   calibrating the similarity mapping with scripts/calibrate.ts, which reads only the part it is told to.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { LATEST_FACE_MODEL, requireFaceModel, type AnalysedImage, type FaceEngine } from "../src/index.ts";
import { createNeuralPool } from "../src/neural/neural-pool.ts";
import { printCleanFigures } from "./evaluation/clean-report.ts";
import { CONDITIONS } from "./evaluation/conditions.ts";
import { partOf, readFixtures, type Part } from "./evaluation/fixtures.ts";
import { analyseCondition, scoreCondition, setUpPart, type ConditionScores } from "./evaluation/hard-evaluation.ts";
import { pooled, printTable } from "./evaluation/hard-report.ts";
import type { CalibrationDump } from "./evaluation/calibration-dump.ts";

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const shared = "/work/shared/fixtures/faces";
const dir =
  args.find((a) => !a.startsWith("--")) ??
  (existsSync(shared) ? shared : new URL("../../testing/fixtures/faces/", import.meta.url).pathname);
const threads = Number(flag("threads") ?? availableParallelism());
const parts: Part[] = (
  (flag("part") ?? "tuning") === "all" ? ["tuning", "held-out"] : [flag("part") ?? "tuning"]
) as Part[];
const sample = Number(flag("sample") ?? 1);
const keep = (file: string): boolean =>
  createHash("sha256").update(file).digest().readUInt32BE(0) / 0xffffffff < sample;
const conditions = flag("conditions")
  ? CONDITIONS.filter((c) => flag("conditions")!.split(",").includes(c.name))
  : CONDITIONS;
const lever = (name: string): boolean | undefined => (flag(name) === undefined ? undefined : flag(name) !== "0");
const analyser = {
  ...(flag("pad") !== undefined && { padRatio: Number(flag("pad")) }),
  ...(lever("align") !== undefined && { align: lever("align") }),
  ...(lever("mirror") !== undefined && { mirror: lever("mirror") }),
  ...(lever("full-frame") !== undefined && { fullFrameLandmarks: lever("full-frame") }),
  ...(lever("rescue") !== undefined && { rescue: lever("rescue") }),
  ...(lever("fast") !== undefined && { fastFirst: lever("fast") }),
  ...(lever("contrast") !== undefined && { contrastRescue: lever("contrast") }),
  ...(lever("dark") !== undefined && { darkRescue: lever("dark") }),
};

const model = requireFaceModel(flag("model") ?? LATEST_FACE_MODEL.version);

const fixtures = readFixtures(dir);
console.log(
  `${new Date().toISOString()} ${dir}: ${fixtures.length} photos; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(
      " ",
    )} on ${availableParallelism()} cores; face model ${model.version}; engine levers ${JSON.stringify(analyser)}`,
);
// A generous stuck-job limit: the evaluation measures accuracy, and on a shared machine one image can wait long.
const pool = await createNeuralPool({ threads, log: () => {}, analyser, jobTimeoutMs: 300_000 });
// Every analysis of the run computes the chosen model's descriptors.
const engine: FaceEngine = {
  mode: pool.mode,
  analyse: (image, options) => pool.analyse(image, { ...options, faceModel: model.version }),
  close: () => pool.close(),
};
let analysed = 0;
const started = performance.now();
const clean = new Map<string, AnalysedImage>();
const everything = parts.length === 2;
const needed = fixtures.filter((f) => everything || (f.identity !== undefined && parts.includes(partOf(f.identity))));
await Promise.all(needed.map(async (f) => clean.set(f.file, await engine.analyse(readFileSync(join(dir, f.file))))));
analysed += needed.length;
console.log(`clean pass: ${needed.length} images in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
const dump: CalibrationDump = { faceModel: model.version, parts: {} };
if (everything) dump.cleanPairs = printCleanFigures(fixtures, clean);

for (const part of parts) {
  const setup = setUpPart(fixtures, part, keep);
  console.log(
    `\n## ${part}: ${new Set(setup.clean.map((f) => f.identity)).size} identities, gallery ${setup.gallery.length}, ` +
      `${setup.matedProbes.length} mated + ${setup.nonMatedProbes.length} non-mated probes per condition (sample ${sample})`,
  );
  const probeFiles = [...setup.matedProbes, ...setup.nonMatedProbes];
  const cleanProbes = new Map(probeFiles.map((f) => [f.file, clean.get(f.file)]));
  const rows: ConditionScores[] = [scoreCondition("clean", setup, clean, cleanProbes)];
  for (const condition of conditions) {
    const probes = await analyseCondition(engine, dir, condition, probeFiles, clean);
    analysed += probeFiles.length;
    rows.push(scoreCondition(condition.name, setup, clean, probes));
  }
  const hard = rows.slice(1);
  if (hard.length > 1) rows.push(pooled("**all hard**", hard));
  printTable(rows);
  console.log(`(conditions: ${conditions.map((c) => `${c.name} = ${c.what}`).join("; ")})`);
  dump.parts[part] = Object.fromEntries(
    hard.map((s) => [
      s.condition,
      {
        genuinePairs: s.genuine.length,
        impostorPairs: s.impostors.length,
        genuine: s.genuineDistances,
        impostors: s.impostorDistances,
      },
    ]),
  );
}
const seconds = (performance.now() - started) / 1000;
console.log(
  `\n${analysed} analyses in ${seconds.toFixed(0)} s (${(analysed / seconds).toFixed(2)} images/s, ${threads} threads)`,
);
await engine.close();
if (flag("json")) writeFileSync(flag("json")!, JSON.stringify(dump));
