/** ListFaces (paged in indexing order) and DeleteFaces. */
import { collectionNotFound } from "../protocol/errors.ts";
import { decodeToken, encodeToken } from "../protocol/pagination.ts";
import { toWireFace } from "../protocol/wire-format.ts";
import type { OperationContext } from "./context.ts";

/** Rekognition's ListFaces page size when MaxResults is not given. */
const DEFAULT_PAGE_SIZE = 1000;

export interface ListFacesInput {
  CollectionId: string;
  NextToken?: string;
  MaxResults?: number;
  UserId?: string;
  FaceIds?: string[];
}

export async function listFaces(input: ListFacesInput, { store }: OperationContext) {
  const collection = store.get(input.CollectionId);
  if (!collection) throw collectionNotFound(input.CollectionId);
  const after = input.NextToken ? decodeToken<number>(input.NextToken, "number") : -1;
  const pageSize = input.MaxResults || DEFAULT_PAGE_SIZE;
  const wanted = input.FaceIds ? new Set(input.FaceIds) : undefined;
  const page = [];
  let more = false;
  // Users (AssociateFaces) are not implemented, so no face belongs to a UserId.
  if (input.UserId === undefined) {
    for (const face of collection.faces.values()) {
      if (face.seq <= after || (wanted && !wanted.has(face.faceId))) continue;
      if (page.length === pageSize) {
        more = true;
        break;
      }
      page.push(face);
    }
  }
  const last = page.at(-1);
  return {
    Faces: page.map((face) => toWireFace(face, collection.meta.faceModelVersion)),
    FaceModelVersion: collection.meta.faceModelVersion,
    ...(more && last ? { NextToken: encodeToken(last.seq) } : {}),
  };
}

export async function deleteFaces(input: { CollectionId: string; FaceIds: string[] }, { store }: OperationContext) {
  const deleted = await store.deleteFaces(input.CollectionId, input.FaceIds);
  if (!deleted) throw collectionNotFound(input.CollectionId);
  const removed = new Set(deleted);
  return {
    DeletedFaces: deleted,
    UnsuccessfulFaceDeletions: [...new Set(input.FaceIds)]
      .filter((id) => !removed.has(id))
      .map((id) => ({ FaceId: id, Reasons: ["FACE_NOT_FOUND"] })),
  };
}
