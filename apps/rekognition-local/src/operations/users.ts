/**
 * CreateUser, DeleteUser and ListUsers. A user groups up to 100 faces of one person (AssociateFaces);
 * DeleteUser disassociates its faces, which stay in the collection.
 */
import { RekognitionError, collectionNotFound } from "../protocol/errors.ts";
import { decodeToken, encodeToken } from "../protocol/pagination.ts";
import { changeUsersOnce } from "./change-users-once.ts";
import type { OperationContext } from "./context.ts";
import { DEFAULT_MAX_USERS, userStatus } from "./user-limits.ts";

export interface UserInput {
  CollectionId: string;
  UserId: string;
  ClientRequestToken?: string;
}

export const userNotFound = (userId: string): RekognitionError =>
  new RekognitionError("ResourceNotFoundException", `The user id: ${userId} does not exist`);

export function createUser(input: UserInput, context: OperationContext) {
  const key = userKey("CreateUser", input);
  return changeUsersOnce(context, key, (collection) => {
    if (collection.users.has(input.UserId))
      throw new RekognitionError("ConflictException", `The user id: ${input.UserId} already exists`);
    return { change: { createUser: { userId: input.UserId, createdAt: Date.now() / 1000 } }, result: {} };
  });
}

export function deleteUser(input: UserInput, context: OperationContext) {
  return changeUsersOnce(context, userKey("DeleteUser", input), (collection) => {
    if (!collection.users.has(input.UserId)) throw userNotFound(input.UserId);
    return { change: { deleteUser: input.UserId }, result: {} };
  });
}

/** A retry of CreateUser or DeleteUser must name the same user. */
function userKey(operation: string, input: UserInput) {
  return { operation, collectionId: input.CollectionId, token: input.ClientRequestToken, parameters: input.UserId };
}

export async function listUsers(
  input: { CollectionId: string; MaxResults?: number; NextToken?: string },
  { store }: OperationContext,
) {
  const collection = store.get(input.CollectionId);
  if (!collection) throw collectionNotFound(input.CollectionId);
  const after = input.NextToken ? decodeToken<string>(input.NextToken, "string") : undefined;
  const pageSize = input.MaxResults ?? DEFAULT_MAX_USERS;
  const ids = [...collection.users.keys()].filter((id) => after === undefined || id > after).sort();
  const page = ids.slice(0, pageSize);
  const last = page.at(-1);
  return {
    Users: page.map((userId) => ({
      UserId: userId,
      UserStatus: userStatus(collection.users.get(userId)?.faceIds.length ?? 0),
    })),
    ...(ids.length > page.length && last !== undefined ? { NextToken: encodeToken(last) } : {}),
  };
}
