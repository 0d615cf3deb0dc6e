/**
 * The face models a collection can be indexed with, as Rekognition's FaceModelVersion names them. A
 * collection keeps the model it was created with (as on AWS): descriptors of two models are not comparable,
 * so a collection indexed before a newer model keeps its version, its descriptors and its similarity scale.
 *
 * Each model's descriptor length differs, so a descriptor's length names the model that made it.
 */
import type { RowEncoding } from "./rows/row-codec.ts";

export interface FaceModel {
  /** Rekognition's FaceModelVersion string. */
  version: string;
  /** Floats per unit descriptor. */
  descriptorLength: number;
  /** Euclidean distance of two unit descriptors at which similarity is exactly 80 (calibrated, README.md). */
  matchDistance: number;
  /** How fast similarity falls around matchDistance (see similarity.ts). */
  steepness: number;
  /** How a vector index stores this model's descriptors (rows/row-codec.ts). */
  rows: RowEncoding;
}

/**
 * "7.0": face-api's port of dlib's ResNet (128-d) on a 150-px chip aligned to dlib's template. MATCH_DISTANCE
 * 0.355: the largest that keeps false matches within 0.1 % on the fixtures' impostor pairs, clean (31 of 36 747)
 * and damaged (87 of 109 960), on the evaluation's tuning part (README.md, "Calibrating the mapping"). Steepness
 * 20 puts the mean same-person pair (d 0.25) near 97 and the mean stranger (d 0.55) near 8.
 */
export const FACE_MODEL_7: FaceModel = {
  version: "7.0",
  descriptorLength: 128,
  matchDistance: 0.355,
  steepness: 20,
  rows: "float32",
};

/**
 * "8.0": an ArcFace-style net (512-d, 112-px chip on the five-point ArcFace template; the weights ship in
 * the faceplugin-face-recognition-js npm package). Calibrated the same way on the tuning part (README.md,
 * "Face model 8.0"); steepness 13 puts its mean same-person pair (d 0.68) near 99 and its mean stranger
 * (d 1.39) near 8. Its rows are int8 (rows/int8-rows.ts): float32 rows of 512 values would be 2 GB at a million
 * faces, int8 rows are 516 MB and move a similarity by at most 0.29 (0.45 row against row; int8-rows.ts).
 */
export const FACE_MODEL_8: FaceModel = {
  version: "8.0",
  descriptorLength: 512,
  matchDistance: 1.1,
  steepness: 13,
  rows: "int8",
};

/** The model new collections get unless configured otherwise. */
export const LATEST_FACE_MODEL = FACE_MODEL_8;

export const FACE_MODELS: readonly FaceModel[] = [FACE_MODEL_7, FACE_MODEL_8];

/** The model of a FaceModelVersion string; undefined for one this engine does not have. */
export function faceModelOfVersion(version: string): FaceModel | undefined {
  return FACE_MODELS.find((m) => m.version === version);
}

/** The model of a FaceModelVersion string; a version this engine does not have is a RangeError naming the ones it has. */
export function requireFaceModel(version: string): FaceModel {
  const model = faceModelOfVersion(version);
  if (!model) {
    const known = FACE_MODELS.map((m) => m.version).join(", ");
    throw new RangeError(`face model version ${JSON.stringify(version)} is not one this engine has (${known})`);
  }
  return model;
}

/** The model whose descriptors have this length. */
export function faceModelOfLength(length: number): FaceModel {
  const model = FACE_MODELS.find((m) => m.descriptorLength === length);
  if (!model) throw new RangeError(`no face model makes descriptors of ${length} values`);
  return model;
}
