/**
 * One collection in memory: its metadata, face records in insertion order (for ListFaces paging), the
 * vector index for search, which faces came from which image (for idempotent IndexFaces), and its users
 * (Rekognition's UserId: a face belongs to at most one user). Every change is idempotent so replaying a
 * journal over a newer snapshot is harmless.
 */
import { inBackground } from "@faceindex/common";
import type { FaceBox, FaceVectorIndex } from "@faceindex/face-engine";

/** Images mapped per turn of the event loop after a load: ~20 ms here, so a request waits at most that long. */
const IMAGES_IN_BACKGROUND_CHUNK = 20_000;

export interface CollectionMeta {
  collectionId: string;
  /** Epoch seconds, as Rekognition's timestamps on the wire. */
  createdAt: number;
  /** The face model the collection was created with (face-models.ts); its index holds that model's descriptors. */
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

/** A collection read back from its snapshot; the index holds one descriptor per face. */
export interface RestoredCollection {
  faces: StoredFace[];
  users?: StoredUser[];
  /**
   * The index's ids are these faces' ids by construction (the face table derives one from the other), so
   * the per-face check is skipped: at a million faces each lookup of a string key costs ~0.3 µs here.
   */
  indexHoldsFaces?: boolean;
}

/**
 * `index` is empty for a new collection; for a restored one it already holds exactly the restored faces
 * (deserialised with its graph, collection-files.ts), so they are not added to it again: re-adding a
 * million faces would rebuild the graph the snapshot saved.
 */
export function createCollection(
  meta: CollectionMeta,
  index: FaceVectorIndex,
  restored: RestoredCollection = { faces: [] },
): Collection {
  const byId = new Map<string, StoredFace>();
  // One face id, or several: most images have one face, and a million one-element arrays cost start-up time.
  const byImage = new Map<string, string | string[]>();
  const users = new Map<string, StoredUser>();
  const userOfFace = new Map<string, string>();

  function addToImageMap(face: StoredFace): void {
    const sameImage = byImage.get(face.imageKey);
    if (sameImage === undefined) byImage.set(face.imageKey, face.faceId);
    else if (typeof sameImage === "string") byImage.set(face.imageKey, [sameImage, face.faceId]);
    else sameImage.push(face.faceId);
  }
  // Only IndexFaces (is this image indexed?) and removals read byImage, so a large restored collection maps
  // its images in the background (inBackground, below; a million string keys are ~1 s here), and the first
  // reader completes it at once.
  let finishImageMap = (): void => {};
  const imageMap = (): Map<string, string | string[]> => (finishImageMap(), byImage);

  function remember(face: StoredFace): void {
    byId.set(face.faceId, face);
    imageMap();
    addToImageMap(face);
  }
  // Descriptors of two models are not comparable: an index of another model would answer every search wrong.
  if (index.faceModel.version !== meta.faceModelVersion) {
    throw new Error(
      `collection ${meta.collectionId}: face model ${meta.faceModelVersion}, ` +
        `but its index holds ${index.faceModel.version} descriptors`,
    );
  }
  if (index.size !== restored.faces.length) {
    throw new Error(`collection ${meta.collectionId}: ${restored.faces.length} faces but ${index.size} descriptors`);
  }
  // Snapshots hold faces in insertion order already; sorting a million of them is skipped when it is.
  const inOrder = restored.faces.every((face, i, faces) => i === 0 || faces[i - 1]!.seq < face.seq);
  const restoredFaces = inOrder ? restored.faces : [...restored.faces].sort((a, b) => a.seq - b.seq);
  for (const face of restoredFaces) {
    if (!restored.indexHoldsFaces && !index.has(face.faceId)) {
      throw new Error(`collection ${meta.collectionId}: face ${face.faceId} has no descriptor`);
    }
    byId.set(face.faceId, face);
  }
  if (byId.size !== restoredFaces.length) throw new Error(`collection ${meta.collectionId}: duplicate face ids`);
  finishImageMap = inBackground(
    restoredFaces.length,
    (i) => addToImageMap(restoredFaces[i]!),
    IMAGES_IN_BACKGROUND_CHUNK,
  );

  function faceIdsOfImage(imageKey: string): string[] {
    const ids = imageMap().get(imageKey);
    return ids === undefined ? [] : typeof ids === "string" ? [ids] : ids;
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
      faceIdsOfImage(imageKey)
        .map((id) => byId.get(id))
        .filter((face) => face !== undefined),
    descriptorOf: (faceId) => index.descriptorOf(faceId),
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
      remember(face);
      return face;
    },
    removeFace(faceId) {
      const face = byId.get(faceId);
      if (!face) return false;
      const userId = userOfFace.get(faceId);
      if (userId !== undefined) disassociate(userId, [faceId]);
      byId.delete(faceId);
      index.remove(faceId);
      const rest = faceIdsOfImage(face.imageKey).filter((id) => id !== faceId);
      if (rest.length === 0) imageMap().delete(face.imageKey);
      else imageMap().set(face.imageKey, rest.length === 1 ? rest[0]! : rest);
      return true;
    },
  };
}
