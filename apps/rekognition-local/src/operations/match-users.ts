/**
 * How a user matches a face: by the best of its faces, i.e. the highest similarity between the searched
 * descriptor and any face associated with the user (the same 0..100 similarity SearchFaces reports).
 * A person's several photos thus help: a new photo close to any one enrolment matches the person.
 */
import { faceSimilarity } from "@faceindex/face-engine";
import type { Collection } from "../store/collection.ts";

export interface UserScore {
  userId: string;
  similarity: number;
}

export function matchUsers(
  collection: Collection,
  descriptor: Float32Array,
  options: { threshold: number; maxUsers: number; excludeFaceId?: string; excludeUserId?: string },
): UserScore[] {
  // Every face above the threshold, so that a user's best face is found even behind many better faces of
  // unassociated images; the index is brute force, so this costs the same as a top-k search.
  const faces = collection.index.search(descriptor, {
    maxResults: Math.max(collection.faces.size, 1),
    minSimilarity: options.threshold,
    ...(options.excludeFaceId !== undefined ? { excludeId: options.excludeFaceId } : {}),
  });
  const best = new Map<string, number>();
  for (const { id, similarity } of faces) {
    const userId = collection.userOf(id);
    if (userId === undefined || userId === options.excludeUserId || best.has(userId)) continue;
    // Matches come highest first, so the first face seen of a user is its best.
    best.set(userId, similarity);
    if (best.size === options.maxUsers) break;
  }
  return [...best].map(([userId, similarity]) => ({ userId, similarity }));
}

/** The best similarity between a descriptor and the given stored faces (0 when there are none). */
export function bestSimilarity(collection: Collection, descriptor: Float32Array, faceIds: readonly string[]): number {
  let best = 0;
  for (const faceId of faceIds) {
    const other = collection.descriptorOf(faceId);
    if (other) best = Math.max(best, faceSimilarity(descriptor, other));
  }
  return best;
}
