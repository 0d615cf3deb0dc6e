/**
 * Scores one part (tuning or held-out) under each condition: the gallery is the clean first photo of each
 * identity; probes are the identity's other photos (mated) and the people/ portraits (non-mated), damaged.
 * Returns per-condition scores; hard-report.ts turns them into figures.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { faceDistance, faceSimilarity, type AnalysedImage, type FaceEngine } from "../../src/index.ts";
import type { Condition, PixelBox } from "./conditions.ts";
import { partOf, type Fixture, type Part } from "./fixtures.ts";
import type { Search } from "./metrics.ts";

export interface ConditionScores {
  condition: string;
  part: Part;
  probes: number;
  detected: number;
  /** Probe vs every other clean photo of the same person. */
  genuine: number[];
  /** Probe vs every clean photo of everyone else in the part. */
  impostors: number[];
  mated: Search[];
  /** Best gallery score of searches whose mate is not in the gallery. */
  nonMated: number[];
  /** Distances behind `genuine` and `impostors` (detected probes only), for calibration. */
  genuineDistances: number[];
  impostorDistances: number[];
}

export interface PartSetup {
  part: Part;
  /** Clean photos with one face and an identity in this part. */
  clean: Fixture[];
  gallery: Fixture[];
  matedProbes: Fixture[];
  nonMatedProbes: Fixture[];
}

export function setUpPart(fixtures: Fixture[], part: Part, keep: (file: string) => boolean): PartSetup {
  const clean = fixtures.filter((f) => f.identity !== undefined && partOf(f.identity) === part);
  const firstOf = new Map<string, Fixture>();
  for (const f of clean.filter((f) => f.folder === "same")) if (!firstOf.has(f.identity!)) firstOf.set(f.identity!, f);
  const gallery = [...firstOf.values()];
  const matedProbes = clean.filter((f) => f.folder === "same" && !gallery.includes(f) && keep(f.file));
  const nonMatedProbes = clean.filter((f) => f.folder === "people" && keep(f.file));
  return { part, clean, gallery, matedProbes, nonMatedProbes };
}

/** The tight face box of a clean result, in pixels, from the outermost landmarks. */
export function tightBox(result: AnalysedImage): PixelBox | undefined {
  const face = result.faces[0];
  if (!face) return undefined;
  const xs = face.landmarks.map((l) => l.x * result.width);
  const ys = face.landmarks.map((l) => l.y * result.height);
  const left = Math.min(...xs);
  const top = Math.min(...ys);
  return { left, top, width: Math.max(...xs) - left, height: Math.max(...ys) - top };
}

export async function analyseCondition(
  engine: FaceEngine,
  dir: string,
  condition: Condition,
  files: Fixture[],
  clean: Map<string, AnalysedImage>,
): Promise<Map<string, AnalysedImage | undefined>> {
  const out = new Map<string, AnalysedImage | undefined>();
  await Promise.all(
    files.map(async (f) => {
      const box = tightBox(clean.get(f.file)!);
      if (!box) return out.set(f.file, undefined);
      const damaged = await condition.apply(readFileSync(join(dir, f.file)), box, `${condition.name}:${f.file}`);
      out.set(f.file, await engine.analyse(damaged));
    }),
  );
  return out;
}

export function scoreCondition(
  condition: string,
  setup: PartSetup,
  clean: Map<string, AnalysedImage>,
  probes: Map<string, AnalysedImage | undefined>,
): ConditionScores {
  const descriptorOf = (r: AnalysedImage | undefined): Float32Array | undefined => r?.faces[0]?.descriptor;
  const cleanDescriptor = (f: Fixture): Float32Array | undefined => descriptorOf(clean.get(f.file));
  const scores: ConditionScores = {
    condition,
    part: setup.part,
    probes: 0,
    detected: 0,
    genuine: [],
    impostors: [],
    mated: [],
    nonMated: [],
    genuineDistances: [],
    impostorDistances: [],
  };
  const compare = (probe: Float32Array | undefined, other: Fixture, into: number[], distances: number[]): void => {
    const ref = cleanDescriptor(other);
    if (!ref) return; // the clean photo itself had no face: no pair to judge
    if (!probe) return void into.push(-1);
    distances.push(faceDistance(probe, ref));
    into.push(faceSimilarity(probe, ref));
  };
  const search = (probe: Float32Array | undefined, gallery: Fixture[], mate?: Fixture): Search => {
    let top = -1;
    let topIsMate = false;
    for (const g of gallery) {
      const ref = cleanDescriptor(g);
      if (!probe || !ref) continue;
      const s = faceSimilarity(probe, ref);
      if (s > top) [top, topIsMate] = [s, g === mate];
    }
    return { top, topIsMate };
  };
  for (const probe of [...setup.matedProbes, ...setup.nonMatedProbes]) {
    const descriptor = descriptorOf(probes.get(probe.file));
    scores.probes++;
    if (descriptor) scores.detected++;
    for (const other of setup.clean) {
      if (other === probe) continue;
      if (other.identity === probe.identity) compare(descriptor, other, scores.genuine, scores.genuineDistances);
      else compare(descriptor, other, scores.impostors, scores.impostorDistances);
    }
    const mate = setup.gallery.find((g) => g.identity === probe.identity);
    if (mate) {
      scores.mated.push(search(descriptor, setup.gallery, mate));
      // The same probe with its mate taken out of the gallery is a non-mated search.
      scores.nonMated.push(
        search(
          descriptor,
          setup.gallery.filter((g) => g !== mate),
        ).top,
      );
    } else {
      scores.nonMated.push(search(descriptor, setup.gallery).top);
    }
  }
  return scores;
}
