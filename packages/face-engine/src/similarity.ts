/**
 * Face similarity, 0..100, from the Euclidean distance of two unit-length descriptors (0..2).
 *
 * The mapping is a logistic curve: similarity = 100 / (1 + exp(STEEPNESS * (distance - MIDPOINT))).
 * MIDPOINT is placed so that similarity 80 (AWS's default FaceMatchThreshold) falls exactly on
 * the model's matchDistance, the largest distance whose false matches stay within 0.1 % on the fixtures
 * (measured by scripts/accuracy.ts and scripts/calibrate.ts; the figures are in README.md).
 */

import { FACE_MODEL_7, faceModelOfLength, type FaceModel } from "./face-models.ts";

/** AWS Rekognition's default FaceMatchThreshold: a "match" is a similarity of at least 80. */
export const DEFAULT_FACE_MATCH_THRESHOLD = 80;

/** Face model 7.0's distance at similarity 80 (face-models.ts has each model's figure and where it comes from). */
export const MATCH_DISTANCE = FACE_MODEL_7.matchDistance;

/** Distance at which similarity is 50; follows from similarity(matchDistance) = 80. */
function midpoint(model: FaceModel): number {
  return model.matchDistance + Math.log(100 / DEFAULT_FACE_MATCH_THRESHOLD - 1) / -model.steepness;
}

/** Similarity 0..100 for the Euclidean distance of two unit descriptors of `model` (monotonic decreasing). */
export function similarityFromDistance(distance: number, model: FaceModel = FACE_MODEL_7): number {
  const d = Math.max(0, distance);
  return 100 / (1 + Math.exp(model.steepness * (d - midpoint(model))));
}

/** The inverse of similarityFromDistance: the largest distance that still reaches `similarity`. */
export function distanceFromSimilarity(similarity: number, model: FaceModel = FACE_MODEL_7): number {
  if (similarity <= 0) return Number.POSITIVE_INFINITY;
  if (similarity >= 100) return 0;
  return Math.max(0, midpoint(model) + Math.log(100 / similarity - 1) / model.steepness);
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

/** Similarity 0..100 of two unit descriptors, on the scale of the model their length names. */
export function faceSimilarity(a: Float32Array, b: Float32Array): number {
  return similarityFromDistance(faceDistance(a, b), faceModelOfLength(a.length));
}
