/**
 * Face similarity, 0..100, from the Euclidean distance of two unit-length descriptors (0..2).
 *
 * The mapping is a logistic curve: similarity = 100 / (1 + exp(STEEPNESS * (distance - MIDPOINT))).
 * MIDPOINT is placed so that similarity 80 (AWS's default FaceMatchThreshold) falls exactly on
 * MATCH_DISTANCE, the largest distance whose false matches stay within 0.1 % on the fixtures
 * (measured by scripts/accuracy.ts and scripts/calibrate.ts; the figures are in README.md).
 */

/** AWS Rekognition's default FaceMatchThreshold: a "match" is a similarity of at least 80. */
export const DEFAULT_FACE_MATCH_THRESHOLD = 80;

/**
 * Distance at which similarity is exactly DEFAULT_FACE_MATCH_THRESHOLD: the largest that keeps false matches
 * within 0.1 % on the fixtures' impostor pairs, clean (31 of 36 747) and damaged (87 of 109 960), measured
 * with scripts/accuracy.ts --json and scripts/calibrate.ts on the tuning part (README.md, "Calibrating the
 * mapping"). 0.36 let 0.103 % of clean impostor pairs through.
 */
export const MATCH_DISTANCE = 0.355;

/** How fast similarity falls around MATCH_DISTANCE: 20 puts the mean same-person pair (d 0.25) near 97 and the mean stranger (d 0.55) near 8, like Rekognition's spread. */
const STEEPNESS = 20;

/** Distance at which similarity is 50; follows from similarity(MATCH_DISTANCE) = 80. */
const MIDPOINT = MATCH_DISTANCE + Math.log(100 / DEFAULT_FACE_MATCH_THRESHOLD - 1) / -STEEPNESS;

/** Similarity 0..100 for the Euclidean distance of two unit descriptors (monotonic decreasing). */
export function similarityFromDistance(distance: number): number {
  const d = Math.max(0, distance);
  return 100 / (1 + Math.exp(STEEPNESS * (d - MIDPOINT)));
}

/** The inverse of similarityFromDistance: the largest distance that still reaches `similarity`. */
export function distanceFromSimilarity(similarity: number): number {
  if (similarity <= 0) return Number.POSITIVE_INFINITY;
  if (similarity >= 100) return 0;
  return Math.max(0, MIDPOINT + Math.log(100 / similarity - 1) / STEEPNESS);
}

/** Euclidean distance of two descriptors of the same length. */
export function faceDistance(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`descriptor lengths differ: ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const diff = a[i]! - b[i]!;
    sum += diff * diff;
  }
  return Math.sqrt(sum);
}

/** Similarity 0..100 of two unit descriptors. */
export function faceSimilarity(a: Float32Array, b: Float32Array): number {
  return similarityFromDistance(faceDistance(a, b));
}
