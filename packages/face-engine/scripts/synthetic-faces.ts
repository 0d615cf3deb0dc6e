/**
 * Synthetic face descriptors shaped like the real ones (measured by scripts/accuracy.ts on the fixtures:
 * strangers mean 0.551 apart, 1st percentile 0.411; photos of one person ~0.25 apart). Every person is a
 * random offset from a common mean whose variance falls as 1/k over the 128 dimensions: with that
 * spectrum strangers come out mean 0.54, 1st percentile 0.40, as measured; equal variance in every
 * dimension gives mean 0.55 but 1st percentile 0.47, far tighter than real faces, and is a much harder
 * case for HNSW (README.md, "A million faces"). Each photo is its person plus equal-variance noise.
 * Seeded, so the benchmark and tests see the same faces on every run.
 */
import { DESCRIPTOR_LENGTH, unitVector } from "../src/index.ts";

/** Spread of people around the mean: with the 1/k spectrum, strangers ~0.54 apart. */
const PERSON_SPREAD = 0.43;
/** Spread of photos around their person: same-person distance ~0.25. */
const PHOTO_SPREAD = 0.18;

/** mulberry32: a small, fast, seedable generator (Math.random cannot be seeded). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticFaces {
  /** A new person: a unit direction. */
  person(): Float32Array;
  /** A photo of that person: a unit descriptor near it. */
  photo(person: Float32Array): Float32Array;
}

/** Per-dimension scale of a person's offset: variance proportional to 1/(k+1), total variance 1; `isotropic` = equal. */
function spectrum(isotropic: boolean): Float32Array {
  const weights = Array.from({ length: DESCRIPTOR_LENGTH }, (_, k) => (isotropic ? 1 : 1 / (k + 1)));
  const total = weights.reduce((a, b) => a + b, 0);
  return Float32Array.from(weights, (w) => Math.sqrt(w / total));
}

export function syntheticFaces(seed: number, options: { isotropic?: boolean } = {}): SyntheticFaces {
  const random = seededRandom(seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const flat = spectrum(true);
  const people = spectrum(options.isotropic ?? false);
  const around = (centre: Float32Array, spread: number, scale: Float32Array): Float32Array => {
    const v = new Float32Array(DESCRIPTOR_LENGTH);
    for (let i = 0; i < DESCRIPTOR_LENGTH; i++) v[i] = centre[i]! + gaussian() * spread * scale[i]!;
    return unitVector(v);
  };
  const mean = around(new Float32Array(DESCRIPTOR_LENGTH), 1, flat);
  return {
    person: () => around(mean, PERSON_SPREAD, people),
    photo: (p) => around(p, PHOTO_SPREAD, flat),
  };
}
