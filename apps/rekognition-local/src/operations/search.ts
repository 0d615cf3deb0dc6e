/** SearchFaces (by a stored FaceId) and SearchFacesByImage (the largest face of an image). */
import { DEFAULT_FACE_MATCH_THRESHOLD, unindexedReasons, type QualityFilter } from "@faceindex/face-engine";
import { collectionNotFound, invalidParameter } from "../protocol/errors.ts";
import type { WireImage } from "../images/load-image.ts";
import { toBoundingBox, toWireFace } from "../protocol/wire-format.ts";
import type { Collection } from "../store/collection.ts";
import { analyseImage, noFacesInImage } from "../images/analyse-image.ts";
import type { OperationContext } from "./context.ts";

/** Rekognition's default MaxFaces for searches. */
const DEFAULT_MAX_FACES = 4096;

function matches(
  collection: Collection,
  descriptor: Float32Array,
  maxFaces?: number,
  threshold?: number,
  excludeId?: string,
) {
  const found = collection.index.search(descriptor, {
    maxResults: maxFaces ?? DEFAULT_MAX_FACES,
    minSimilarity: threshold ?? DEFAULT_FACE_MATCH_THRESHOLD,
    ...(excludeId !== undefined ? { excludeId } : {}),
  });
  return found.flatMap(({ id, similarity }) => {
    const face = collection.faces.get(id);
    return face
      ? [
          {
            Similarity: similarity,
            Face: toWireFace(face, collection.meta.faceModelVersion, collection.userOf(face.faceId)),
          },
        ]
      : [];
  });
}

export interface SearchFacesInput {
  CollectionId: string;
  FaceId: string;
  MaxFaces?: number;
  FaceMatchThreshold?: number;
}

export async function searchFaces(input: SearchFacesInput, { store }: OperationContext) {
  const collection = store.get(input.CollectionId);
  if (!collection) throw collectionNotFound(input.CollectionId);
  const descriptor = collection.descriptorOf(input.FaceId);
  if (!descriptor)
    throw invalidParameter(`The face id: ${input.FaceId} does not exist in the collection: ${input.CollectionId}`);
  return {
    SearchedFaceId: input.FaceId,
    FaceMatches: matches(collection, descriptor, input.MaxFaces, input.FaceMatchThreshold, input.FaceId),
    FaceModelVersion: collection.meta.faceModelVersion,
  };
}

export interface SearchFacesByImageInput {
  CollectionId: string;
  Image: WireImage;
  MaxFaces?: number;
  FaceMatchThreshold?: number;
  QualityFilter?: QualityFilter;
}

export async function searchFacesByImage(input: SearchFacesByImageInput, context: OperationContext) {
  const before = context.store.get(input.CollectionId);
  if (!before) throw collectionNotFound(input.CollectionId);
  const { analysis } = await analyseImage(input.Image, context, { faceModel: before.meta.faceModelVersion });
  const largest = analysis.faces[0];
  // AWS searches with the largest face only; with a QualityFilter a poor one counts as no face.
  if (!largest || unindexedReasons(largest, analysis, input.QualityFilter ?? "NONE").length > 0) throw noFacesInImage();
  // Looked up again after the analysis: the collection may have been deleted meanwhile.
  const collection = context.store.get(input.CollectionId);
  if (!collection) throw collectionNotFound(input.CollectionId);
  return {
    SearchedFaceBoundingBox: toBoundingBox(largest.box),
    SearchedFaceConfidence: largest.confidence,
    FaceMatches: matches(collection, largest.descriptor, input.MaxFaces, input.FaceMatchThreshold),
    FaceModelVersion: collection.meta.faceModelVersion,
  };
}
