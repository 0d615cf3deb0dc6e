/**
 * SearchUsers (by a stored FaceId or a UserId) and SearchUsersByImage (the largest face of an image).
 * Users are scored by their best face (match-users.ts); UserMatchThreshold defaults to 80, as in AWS.
 */
import { unindexedReasons, type QualityFilter } from "@faceindex/face-engine";
import { collectionNotFound, invalidParameter } from "../protocol/errors.ts";
import type { WireImage } from "../images/load-image.ts";
import { toFaceDetail } from "../protocol/wire-format.ts";
import type { Collection } from "../store/collection.ts";
import { analyseImage, noFacesInImage } from "../images/analyse-image.ts";
import type { OperationContext } from "./context.ts";
import { matchUsers, type UserScore } from "./match-users.ts";
import { DEFAULT_MAX_USERS, DEFAULT_SEARCH_USERS_THRESHOLD, userStatus } from "./user-limits.ts";
import { userNotFound } from "./users.ts";

const toUserMatches = (collection: Collection, scores: UserScore[]) =>
  scores.map(({ userId, similarity }) => ({
    Similarity: similarity,
    User: { UserId: userId, UserStatus: userStatus(collection.users.get(userId)?.faceIds.length ?? 0) },
  }));

export interface SearchUsersInput {
  CollectionId: string;
  UserId?: string;
  FaceId?: string;
  UserMatchThreshold?: number;
  MaxUsers?: number;
}

export async function searchUsers(input: SearchUsersInput, { store }: OperationContext) {
  const collection = store.get(input.CollectionId);
  if (!collection) throw collectionNotFound(input.CollectionId);
  if ((input.UserId === undefined) === (input.FaceId === undefined))
    throw invalidParameter("Exactly one of UserId or FaceId must be given");
  const options = {
    threshold: input.UserMatchThreshold ?? DEFAULT_SEARCH_USERS_THRESHOLD,
    maxUsers: input.MaxUsers ?? DEFAULT_MAX_USERS,
  };
  const base = { FaceModelVersion: collection.meta.faceModelVersion };
  if (input.FaceId !== undefined) {
    const descriptor = collection.descriptorOf(input.FaceId);
    if (!descriptor)
      throw invalidParameter(`The face id: ${input.FaceId} does not exist in the collection: ${input.CollectionId}`);
    // The searched face is left out (as SearchFaces does); its own user still matches through its other faces.
    const scores = matchUsers(collection, descriptor, { ...options, excludeFaceId: input.FaceId });
    return { ...base, SearchedFace: { FaceId: input.FaceId }, UserMatches: toUserMatches(collection, scores) };
  }
  const user = collection.users.get(input.UserId!);
  if (!user) throw userNotFound(input.UserId!);
  // Other users like this one (duplicates of a person): each of its faces searched, a user's best score kept.
  const best = new Map<string, number>();
  for (const faceId of user.faceIds) {
    const descriptor = collection.descriptorOf(faceId);
    if (!descriptor) continue;
    for (const { userId, similarity } of matchUsers(collection, descriptor, { ...options, excludeUserId: user.userId }))
      best.set(userId, Math.max(best.get(userId) ?? 0, similarity));
  }
  const scores = [...best]
    .map(([userId, similarity]) => ({ userId, similarity }))
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, options.maxUsers);
  return { ...base, SearchedUser: { UserId: user.userId }, UserMatches: toUserMatches(collection, scores) };
}

export interface SearchUsersByImageInput {
  CollectionId: string;
  Image: WireImage;
  UserMatchThreshold?: number;
  MaxUsers?: number;
  QualityFilter?: QualityFilter;
}

export async function searchUsersByImage(input: SearchUsersByImageInput, context: OperationContext) {
  const before = context.store.get(input.CollectionId);
  if (!before) throw collectionNotFound(input.CollectionId);
  const { analysis } = await analyseImage(input.Image, context, { faceModel: before.meta.faceModelVersion });
  const filter = input.QualityFilter ?? "NONE";
  const [largest, ...others] = analysis.faces;
  // As SearchFacesByImage: the largest face only; with a QualityFilter a poor one counts as no face.
  if (!largest || unindexedReasons(largest, analysis, filter).length > 0) throw noFacesInImage();
  // Looked up again after the analysis: the collection may have been deleted meanwhile.
  const collection = context.store.get(input.CollectionId);
  if (!collection) throw collectionNotFound(input.CollectionId);
  const scores = matchUsers(collection, largest.descriptor, {
    threshold: input.UserMatchThreshold ?? DEFAULT_SEARCH_USERS_THRESHOLD,
    maxUsers: input.MaxUsers ?? DEFAULT_MAX_USERS,
  });
  return {
    UserMatches: toUserMatches(collection, scores),
    FaceModelVersion: collection.meta.faceModelVersion,
    SearchedFace: { FaceDetail: toFaceDetail(largest) },
    UnsearchedFaces: others.map((face) => ({
      FaceDetails: toFaceDetail(face),
      Reasons: ["FACE_NOT_LARGEST", ...unindexedReasons(face, analysis, filter)],
    })),
  };
}
