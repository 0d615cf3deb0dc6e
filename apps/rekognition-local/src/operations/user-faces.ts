/**
 * AssociateFaces and DisassociateFaces. A face belongs to at most one user. Once a user has faces, a new
 * face joins only if its best similarity to them reaches UserMatchThreshold (default 75), else it is
 * LOW_MATCH_CONFIDENCE with that similarity as Confidence; the first faces of a user have nothing to match.
 */
import { RekognitionError } from "../protocol/errors.ts";
import type { Collection } from "../store/collection.ts";
import { changeUsersOnce } from "./change-users-once.ts";
import type { OperationContext } from "./context.ts";
import { bestSimilarity } from "./match-users.ts";
import { DEFAULT_ASSOCIATE_THRESHOLD, MAX_FACES_PER_USER, userStatus } from "./user-limits.ts";
import { userNotFound } from "./users.ts";

export interface UserFacesInput {
  CollectionId: string;
  UserId: string;
  FaceIds: string[];
  ClientRequestToken?: string;
}

export interface AssociateFacesInput extends UserFacesInput {
  UserMatchThreshold?: number;
}

interface Unsuccessful {
  FaceId: string;
  UserId?: string;
  Confidence?: number;
  Reasons: string[];
}

function planAssociation(collection: Collection, input: AssociateFacesInput) {
  const user = collection.users.get(input.UserId);
  if (!user) throw userNotFound(input.UserId);
  const threshold = input.UserMatchThreshold ?? DEFAULT_ASSOCIATE_THRESHOLD;
  const associated: string[] = [];
  const joining: string[] = [];
  const unsuccessful: Unsuccessful[] = [];
  for (const faceId of new Set(input.FaceIds)) {
    const descriptor = collection.descriptorOf(faceId);
    const owner = collection.userOf(faceId);
    if (!descriptor) unsuccessful.push({ FaceId: faceId, Reasons: ["FACE_NOT_FOUND"] });
    else if (owner === input.UserId) associated.push(faceId);
    else if (owner !== undefined)
      unsuccessful.push({ FaceId: faceId, UserId: owner, Reasons: ["ASSOCIATED_TO_A_DIFFERENT_USER"] });
    else {
      const confidence = user.faceIds.length > 0 ? bestSimilarity(collection, descriptor, user.faceIds) : 100;
      if (confidence >= threshold) joining.push(faceId);
      else
        unsuccessful.push({
          FaceId: faceId,
          UserId: input.UserId,
          Confidence: confidence,
          Reasons: ["LOW_MATCH_CONFIDENCE"],
        });
    }
  }
  if (user.faceIds.length + joining.length > MAX_FACES_PER_USER) {
    throw new RekognitionError(
      "ServiceQuotaExceededException",
      `The user id: ${input.UserId} would have ${user.faceIds.length + joining.length} faces; a user holds at most ${MAX_FACES_PER_USER}`,
    );
  }
  const result = {
    AssociatedFaces: [...associated, ...joining].map((faceId) => ({ FaceId: faceId })),
    UnsuccessfulFaceAssociations: unsuccessful,
    UserStatus: userStatus(user.faceIds.length + joining.length),
  };
  return {
    ...(joining.length > 0 ? { change: { associate: { userId: input.UserId, faceIds: joining } } } : {}),
    result,
  };
}

export function associateFaces(input: AssociateFacesInput, context: OperationContext) {
  const { ClientRequestToken: token, ...parameters } = input;
  const key = { operation: "AssociateFaces", collectionId: input.CollectionId, token, parameters };
  return changeUsersOnce(context, key, (collection) => planAssociation(collection, input));
}

function planDisassociation(collection: Collection, input: UserFacesInput) {
  const user = collection.users.get(input.UserId);
  if (!user) throw userNotFound(input.UserId);
  const leaving: string[] = [];
  const unsuccessful: Unsuccessful[] = [];
  for (const faceId of new Set(input.FaceIds)) {
    const owner = collection.userOf(faceId);
    if (!collection.faces.has(faceId)) unsuccessful.push({ FaceId: faceId, Reasons: ["FACE_NOT_FOUND"] });
    else if (owner === input.UserId) leaving.push(faceId);
    else if (owner !== undefined)
      unsuccessful.push({ FaceId: faceId, UserId: owner, Reasons: ["ASSOCIATED_TO_A_DIFFERENT_USER"] });
    // A face of no user is "already disassociated": ignored and not returned, as AWS documents.
  }
  const result = {
    DisassociatedFaces: leaving.map((faceId) => ({ FaceId: faceId })),
    UnsuccessfulFaceDisassociations: unsuccessful,
    UserStatus: userStatus(user.faceIds.length - leaving.length),
  };
  return {
    ...(leaving.length > 0 ? { change: { disassociate: { userId: input.UserId, faceIds: leaving } } } : {}),
    result,
  };
}

export function disassociateFaces(input: UserFacesInput, context: OperationContext) {
  const { ClientRequestToken: token, ...parameters } = input;
  const key = { operation: "DisassociateFaces", collectionId: input.CollectionId, token, parameters };
  return changeUsersOnce(context, key, (collection) => planDisassociation(collection, input));
}
