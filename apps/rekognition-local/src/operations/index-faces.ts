/**
 * IndexFaces: detect faces, keep those passing the QualityFilter (largest first, at most MaxFaces), store
 * them. Indexing the same image bytes with the same ExternalImageId again returns the faces already
 * stored instead of duplicates, as AWS documents.
 */
import { randomUUID } from "node:crypto";
import { unindexedReasons, type DetectedFace, type QualityFilter } from "@faceindex/face-engine";
import { collectionNotFound } from "../protocol/errors.ts";
import type { WireImage } from "../images/load-image.ts";
import { toBoundingBox, toFaceDetail, toWireFace } from "../protocol/wire-format.ts";
import type { StoredFace } from "../store/collection.ts";
import { analyseImage } from "../images/analyse-image.ts";
import type { OperationContext } from "./context.ts";

export interface IndexFacesInput {
  CollectionId: string;
  Image: WireImage;
  ExternalImageId?: string;
  MaxFaces?: number;
  QualityFilter?: QualityFilter;
}

export async function indexFaces(input: IndexFacesInput, context: OperationContext) {
  const { store } = context;
  // Fail fast before the expensive analysis; checked again under the collection's lock.
  const collection = store.get(input.CollectionId);
  if (!collection) throw collectionNotFound(input.CollectionId);
  const version = collection.meta.faceModelVersion;
  // Descriptors of the model the collection was created with: only those compare with its faces.
  const { analysis, sha256 } = await analyseImage(input.Image, context, { faceModel: version });

  const accepted: DetectedFace[] = [];
  const unindexed: { Reasons: string[]; FaceDetail: ReturnType<typeof toFaceDetail> }[] = [];
  for (const face of analysis.faces) {
    const reasons: string[] = unindexedReasons(face, analysis, input.QualityFilter ?? "AUTO");
    // Faces come largest first, so the ones past MaxFaces are the smallest, as AWS keeps the largest.
    if (reasons.length === 0 && input.MaxFaces !== undefined && accepted.length >= input.MaxFaces)
      reasons.push("EXCEEDS_MAX_FACES");
    if (reasons.length === 0) accepted.push(face);
    else unindexed.push({ Reasons: reasons, FaceDetail: toFaceDetail(face) });
  }

  const imageId = randomUUID();
  const imageKey = `${sha256}:${input.ExternalImageId ?? ""}`;
  const newFaces = accepted.map((face) => ({
    face: {
      faceId: randomUUID(),
      imageId,
      ...(input.ExternalImageId !== undefined ? { externalImageId: input.ExternalImageId } : {}),
      box: face.box,
      confidence: face.confidence,
      imageKey,
    },
    descriptor: face.descriptor,
  }));
  const stored = await store.addImageFaces(input.CollectionId, imageKey, newFaces);
  if (!stored) throw collectionNotFound(input.CollectionId);

  return {
    FaceRecords: stored.map((face) => ({
      Face: toWireFace(face, version),
      FaceDetail: faceDetailOf(face, accepted.length > 0 ? accepted : analysis.faces),
    })),
    FaceModelVersion: version,
    UnindexedFaces: unindexed,
  };
}

/** The details of the detected face whose box is nearest a stored face's (the stored faces of a re-indexed image). */
function faceDetailOf(stored: StoredFace, faces: DetectedFace[]) {
  const closest = closestFace(stored, faces);
  return closest ? toFaceDetail(closest) : { BoundingBox: toBoundingBox(stored.box), Confidence: stored.confidence };
}

function closestFace(stored: StoredFace, faces: DetectedFace[]): DetectedFace | undefined {
  const centre = (b: StoredFace["box"]) => [b.left + b.width / 2, b.top + b.height / 2] as const;
  const [x, y] = centre(stored.box);
  let best = faces[0];
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const face of faces) {
    const [fx, fy] = centre(face.box);
    const distance = (fx - x) ** 2 + (fy - y) ** 2;
    if (distance < bestDistance) [best, bestDistance] = [face, distance];
  }
  return best;
}
