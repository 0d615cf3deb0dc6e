/**
 * One collection in memory: its metadata, face records in insertion order (for ListFaces paging), the
 * vector index for search, which faces came from which image (for idempotent IndexFaces), and its users
 * (Rekognition's UserId: a face belongs to at most one user). Every change is idempotent so replaying a
 * journal over a newer snapshot is harmless.
 */
import type { FaceBox, FaceVectorIndex } from "@faceindex/face-engine";

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

/** A user as persisted: its faces in association order. */
export interface StoredUser {
  userId: string;
  /** Epoch seconds. */
  createdAt: number;
  faceIds: string[];
}

export interface Collection {
  readonly meta: CollectionMeta;
  readonly faces: ReadonlyMap<string, StoredFace>;
  readonly users: ReadonlyMap<string, StoredUser>;
  /** The user a face is associated with, if any. */
  userOf(faceId: string): string | undefined;
  createUser(userId: string, createdAt: number): void;
  /** Disassociates the user's faces (they stay in the collection), then forgets the user. */
  deleteUser(userId: string): void;
  /** Faces already in another user or no longer in the collection are skipped (journal replay). */
  associate(userId: string, faceIds: string[]): void;
  disassociate(userId: string, faceIds: string[]): void;
  readonly index: FaceVectorIndex;
  facesOfImage(imageKey: string): StoredFace[];
  descriptorOf(faceId: string): Float32Array | undefined;
  addFace(face: Omit<StoredFace, "seq"> & { seq?: number }, descriptor: Float32Array): StoredFace;
  removeFace(faceId: string): boolean;
}

/** A collection read back from its snapshot. */
export interface RestoredCollection {
  faces: StoredFace[];
  /** One descriptor per face in `faces`. */
  descriptors: ReadonlyMap<string, Float32Array>;
  users?: StoredUser[];
}

/**
 * `index` is empty for a new collection; for a restored one it already holds exactly the restored faces
 * (deserialised with its graph, collection-files.ts), so they are not added to it again: re-adding a
 * million faces would rebuild the graph the snapshot saved.
 */
export function createCollection(
  meta: CollectionMeta,
  index: FaceVectorIndex,
  restored: RestoredCollection = { faces: [], descriptors: new Map() },
): Collection {
  const byId = new Map<string, StoredFace>();
  const byImage = new Map<string, string[]>();
  const descriptorById = new Map<string, Float32Array>();
  const users = new Map<string, StoredUser>();
  const userOfFace = new Map<string, string>();

  function remember(face: StoredFace, descriptor: Float32Array): void {
    descriptorById.set(face.faceId, descriptor);
    byId.set(face.faceId, face);
    byImage.set(face.imageKey, [...(byImage.get(face.imageKey) ?? []), face.faceId]);
  }
  if (index.size !== restored.faces.length) {
    throw new Error(`collection ${meta.collectionId}: ${restored.faces.length} faces but ${index.size} descriptors`);
  }
  for (const face of [...restored.faces].sort((a, b) => a.seq - b.seq)) {
    const descriptor = restored.descriptors.get(face.faceId);
    if (!descriptor || !index.has(face.faceId)) {
      throw new Error(`collection ${meta.collectionId}: face ${face.faceId} has no descriptor`);
    }
    remember(face, descriptor);
  }

  function associate(userId: string, faceIds: string[]): void {
    const user = users.get(userId);
    if (!user) return;
    for (const faceId of faceIds) {
      if (!byId.has(faceId) || userOfFace.has(faceId)) continue;
      userOfFace.set(faceId, userId);
      user.faceIds.push(faceId);
    }
  }
  function disassociate(userId: string, faceIds: string[]): void {
    const user = users.get(userId);
    if (!user) return;
    const leaving = new Set(faceIds.filter((faceId) => userOfFace.get(faceId) === userId));
    leaving.forEach((faceId) => userOfFace.delete(faceId));
    user.faceIds = user.faceIds.filter((faceId) => !leaving.has(faceId));
  }
  for (const { userId, createdAt, faceIds } of restored.users ?? []) {
    users.set(userId, { userId, createdAt, faceIds: [] });
    associate(userId, faceIds);
  }

  return {
    meta,
    faces: byId,
    index,
    facesOfImage: (imageKey) =>
      (byImage.get(imageKey) ?? []).map((id) => byId.get(id)).filter((face) => face !== undefined),
    descriptorOf: (faceId) => descriptorById.get(faceId),
    users,
    userOf: (faceId) => userOfFace.get(faceId),
    createUser(userId, createdAt) {
      if (!users.has(userId)) users.set(userId, { userId, createdAt, faceIds: [] });
    },
    deleteUser(userId) {
      const user = users.get(userId);
      if (!user) return;
      disassociate(userId, user.faceIds);
      users.delete(userId);
    },
    associate,
    disassociate,
    addFace(input, descriptor) {
      const existing = byId.get(input.faceId);
      if (existing) return existing;
      const face: StoredFace = { ...input, seq: input.seq ?? meta.nextSeq };
      meta.nextSeq = Math.max(meta.nextSeq, face.seq + 1);
      index.add(face.faceId, descriptor);
      remember(face, descriptor);
      return face;
    },
    removeFace(faceId) {
      const face = byId.get(faceId);
      if (!face) return false;
      const userId = userOfFace.get(faceId);
      if (userId !== undefined) disassociate(userId, [faceId]);
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
