/** CreateCollection, DescribeCollection, ListCollections, DeleteCollection. */
import { RekognitionError, collectionNotFound } from "../protocol/errors.ts";
import { decodeToken, encodeToken } from "../protocol/pagination.ts";
import type { OperationContext } from "./context.ts";

/** Rekognition's page size when MaxResults is not given. */
const DEFAULT_PAGE_SIZE = 1000;

export async function createCollection(input: { CollectionId: string }, { store }: OperationContext) {
  const collection = await store.create(input.CollectionId);
  if (!collection) {
    throw new RekognitionError(
      "ResourceAlreadyExistsException",
      `The collection id: ${input.CollectionId} already exists`,
    );
  }
  return { StatusCode: 200, CollectionArn: collection.meta.arn, FaceModelVersion: collection.meta.faceModelVersion };
}

export async function describeCollection(input: { CollectionId: string }, { store }: OperationContext) {
  const collection = store.get(input.CollectionId);
  if (!collection) throw collectionNotFound(input.CollectionId);
  return {
    FaceCount: collection.faces.size,
    FaceModelVersion: collection.meta.faceModelVersion,
    CollectionARN: collection.meta.arn,
    CreationTimestamp: collection.meta.createdAt,
    UserCount: 0,
  };
}

export async function listCollections(input: { NextToken?: string; MaxResults?: number }, { store }: OperationContext) {
  const after = input.NextToken ? decodeToken<string>(input.NextToken, "string") : undefined;
  const pageSize = input.MaxResults || DEFAULT_PAGE_SIZE;
  const ids = store.ids().filter((id) => after === undefined || id > after);
  const page = ids.slice(0, pageSize);
  const last = page.at(-1);
  return {
    CollectionIds: page,
    FaceModelVersions: page.map((id) => store.get(id)?.meta.faceModelVersion ?? ""),
    ...(ids.length > page.length && last !== undefined ? { NextToken: encodeToken(last) } : {}),
  };
}

export async function deleteCollection(input: { CollectionId: string }, { store }: OperationContext) {
  if (!(await store.delete(input.CollectionId))) throw collectionNotFound(input.CollectionId);
  return { StatusCode: 200 };
}
