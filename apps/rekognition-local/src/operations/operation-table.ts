/** The operations this server implements, by their Rekognition name (X-Amz-Target suffix). */
import { createCollection, deleteCollection, describeCollection, listCollections } from "./collections.ts";
import type { OperationHandler } from "./context.ts";
import { compareFaces, detectFaces } from "./detect.ts";
import { deleteFaces, listFaces } from "./faces.ts";
import { indexFaces } from "./index-faces.ts";
import { searchFaces, searchFacesByImage } from "./search.ts";

export const operations: Readonly<Record<string, OperationHandler>> = {
  CreateCollection: createCollection,
  DescribeCollection: describeCollection,
  ListCollections: listCollections,
  DeleteCollection: deleteCollection,
  IndexFaces: indexFaces,
  ListFaces: listFaces,
  DeleteFaces: deleteFaces,
  SearchFaces: searchFaces,
  SearchFacesByImage: searchFacesByImage,
  DetectFaces: detectFaces,
  CompareFaces: compareFaces,
};
