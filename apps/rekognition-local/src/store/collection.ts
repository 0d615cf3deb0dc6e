/**
 * One collection in memory: its metadata, face records in insertion order (for ListFaces paging), the
 * vector index for search, and which faces came from which image (for idempotent IndexFaces).
 * Every change is idempotent so replaying a journal over a newer snapshot is harmless.
 */
import { createFaceVectorIndex, type FaceBox, type FaceVectorIndex } from "@faceindex/face-engine";

// The vector index has no lookup by id, so descriptors are also kept here for SearchFaces (by FaceId):
// 512 bytes per face, ~50 MB for 100k faces.

export interface CollectionMeta {
  collectionId: string;
  /** Epoch seconds, as Rekognition's timestamps on the wire. */
  createdAt: number;
  faceModelVersion: string;
  arn: string;
  /** Next insertion sequence number; ListFaces tokens point into this order. */
  nextSeq: number;
}

export interface StoredFace {
  faceId: string;
  imageId: string;
  externalImageId?: string;
  box: FaceBox;
  confidence: number;
  /** sha256 of the image bytes plus the ExternalImageId: the same pair indexes to the same faces. */
  imageKey: string;
  seq: number;
}

export interface Collection {
  readonly meta: CollectionMeta;
  readonly faces: ReadonlyMap<string, StoredFace>;
  readonly index: FaceVectorIndex;
  facesOfImage(imageKey: string): StoredFace[];
  descriptorOf(faceId: string): Float32Array | undefined;
  addFace(face: Omit<StoredFace, "seq"> & { seq?: number }, descriptor: Float32Array): StoredFace;
  removeFace(faceId: string): boolean;
}

/** `descriptors` holds one descriptor per face in `faces` (a snapshot read back). */
export function createCollection(
  meta: CollectionMeta,
  faces: StoredFace[] = [],
  descriptors: ReadonlyMap<string, Float32Array> = new Map(),
): Collection {
  const index: FaceVectorIndex = createFaceVectorIndex();
  const byId = new Map<string, StoredFace>();
  const byImage = new Map<string, string[]>();
  const descriptorById = new Map<string, Float32Array>();

  function remember(face: StoredFace, descriptor: Float32Array): void {
    index.add(face.faceId, descriptor);
    descriptorById.set(face.faceId, descriptor);
    byId.set(face.faceId, face);
    byImage.set(face.imageKey, [...(byImage.get(face.imageKey) ?? []), face.faceId]);
  }
  for (const face of [...faces].sort((a, b) => a.seq - b.seq)) {
    const descriptor = descriptors.get(face.faceId);
    if (!descriptor) throw new Error(`collection ${meta.collectionId}: face ${face.faceId} has no descriptor`);
    remember(face, descriptor);
  }

  return {
    meta,
    faces: byId,
    index,
    facesOfImage: (imageKey) =>
      (byImage.get(imageKey) ?? []).map((id) => byId.get(id)).filter((face) => face !== undefined),
    descriptorOf: (faceId) => descriptorById.get(faceId),
    addFace(input, descriptor) {
      const existing = byId.get(input.faceId);
      if (existing) return existing;
      const face: StoredFace = { ...input, seq: input.seq ?? meta.nextSeq };
      meta.nextSeq = Math.max(meta.nextSeq, face.seq + 1);
      remember(face, descriptor);
      return face;
    },
    removeFace(faceId) {
      const face = byId.get(faceId);
      if (!face) return false;
      byId.delete(faceId);
      descriptorById.delete(faceId);
      index.remove(faceId);
      const rest = (byImage.get(face.imageKey) ?? []).filter((id) => id !== faceId);
      if (rest.length > 0) byImage.set(face.imageKey, rest);
      else byImage.delete(face.imageKey);
      return true;
    },
  };
}
