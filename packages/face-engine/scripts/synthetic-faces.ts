/**
 * Synthetic face descriptors shaped like the real ones (measured by scripts/accuracy.ts on the fixtures:
 * strangers mean 0.551 apart, 1st percentile 0.411; photos of one person ~0.25 apart). Every person is a
 * random offset from a common mean whose variance falls as 1/k over the 128 dimensions: with that
 * spectrum strangers come out mean 0.54, 1st percentile 0.40, as measured; equal variance in every
 * dimension gives mean 0.55 but 1st percentile 0.47, far tighter than real faces, and is a much harder
 * case for HNSW (README.md, "A million faces"). Each photo is its person plus equal-variance noise.
 * Seeded, so the benchmark and tests see the same faces on every run.
 */
import { FACE_MODEL_7, unitVector, type FaceModel } from "../src/index.ts";
import { seededRandom } from "../src/seeded-random.ts";

/**
 * Spread of people around the mean and of photos around their person, per face model. 7.0: strangers ~0.54
 * apart with the 1/k spectrum, same person ~0.25. 8.0 (measured on the fixtures: strangers mean 1.39, 1st
 * percentile 1.19, same person mean 0.68): these spreads give 1.39, 1.17 and 0.68, a slightly heavier tail of
 * close strangers than the fixtures', so a harder case for the graph.
 */
const SPREADS: Record<string, { person: number; photo: number }> = {
  "7.0": { person: 0.43, photo: 0.18 },
  "8.0": { person: 5, photo: 0.55 },
};

export { seededRandom };

export interface SyntheticFaces {
  /** A new person: a unit direction. */
  person(): Float32Array;
  /** A photo of that person: a unit descriptor near it. */
  photo(person: Float32Array): Float32Array;
}

/** Per-dimension scale of a person's offset: variance proportional to 1/(k+1), total variance 1; `isotropic` = equal. */
function spectrum(isotropic: boolean, length: number): Float32Array {
  const weights = Array.from({ length }, (_, k) => (isotropic ? 1 : 1 / (k + 1)));
  const total = weights.reduce((a, b) => a + b, 0);
  return Float32Array.from(weights, (w) => Math.sqrt(w / total));
}

export function syntheticFaces(
  seed: number,
  options: { isotropic?: boolean; faceModel?: FaceModel } = {},
): SyntheticFaces {
  const model = options.faceModel ?? FACE_MODEL_7;
  const length = model.descriptorLength;
  const spread = SPREADS[model.version];
  if (!spread) throw new RangeError(`no synthetic spreads for face model ${model.version}`);
  const random = seededRandom(seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const flat = spectrum(true, length);
  const people = spectrum(options.isotropic ?? false, length);
  const around = (centre: Float32Array, spread: number, scale: Float32Array): Float32Array => {
    const v = new Float32Array(length);
    for (let i = 0; i < length; i++) v[i] = centre[i]! + gaussian() * spread * scale[i]!;
    return unitVector(v, model);
  };
  const mean = around(new Float32Array(length), 1, flat);
  return {
    person: () => around(mean, spread.person, people),
    photo: (p) => around(p, spread.photo, flat),
  };
}
