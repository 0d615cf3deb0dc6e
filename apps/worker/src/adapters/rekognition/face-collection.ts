/**
 * Rekognition's search, delete and list operations behind our own small interface (IndexFaces and
 * CreateCollection are in face-index.ts): the processors see plain records, never SDK types.
 */
import {
  DeleteFacesCommand,
  ListFacesCommand,
  SearchFacesByImageCommand,
  type RekognitionClient,
} from "@aws-sdk/client-rekognition";
import type { SearchedFace } from "@faceindex/contracts";
import { toBoundingBox } from "./bounding-box.ts";

/** The probe: bytes (a search leaves nothing in S3) or an object already stored (the enrol check). */
export type ProbeImage = { bytes: Buffer } | { bucket: string; key: string };

export interface SearchRequest {
  collectionId: string;
  image: ProbeImage;
  threshold: number;
  maxFaces: number;
}

export interface CollectionMatch {
  faceId: string;
  externalImageId: string;
  similarity: number;
}

export interface SearchResult {
  searchedFace: SearchedFace;
  /** Most similar first. */
  matches: CollectionMatch[];
}

export interface StoredFace {
  faceId: string;
  externalImageId: string;
}

export interface FaceCollection {
  /** null when the probe has no face to search with. */
  searchFacesByImage(request: SearchRequest): Promise<SearchResult | null>;
  deleteFaces(
    collectionId: string,
    faceIds: string[],
  ): Promise<{ deleted: string[]; unsuccessful: { face_id: string; reasons: string[] }[] }>;
  /** One page of the collection; nextToken is undefined after the last page. */
  listFaces(collectionId: string, nextToken?: string): Promise<{ faces: StoredFace[]; nextToken?: string }>;
}

// Rekognition's limit on FaceIds per DeleteFaces call.
const DELETE_BATCH = 4096;
// ListFaces' largest page: fewer round trips when rebuilding a big collection.
const LIST_PAGE = 4096;

export function createFaceCollection(client: Pick<RekognitionClient, "send">): FaceCollection {
  return {
    async searchFacesByImage({ collectionId, image, threshold, maxFaces }) {
      try {
        const response = await client.send(
          new SearchFacesByImageCommand({
            CollectionId: collectionId,
            Image: "bytes" in image ? { Bytes: image.bytes } : { S3Object: { Bucket: image.bucket, Name: image.key } },
            FaceMatchThreshold: threshold,
            MaxFaces: maxFaces,
          }),
        );
        const box = response.SearchedFaceBoundingBox;
        return {
          searchedFace: {
            bounding_box: toBoundingBox(box),
            confidence: response.SearchedFaceConfidence ?? 0,
          },
          matches: (response.FaceMatches ?? [])
            .map((match) => ({
              faceId: match.Face?.FaceId ?? "",
              externalImageId: match.Face?.ExternalImageId ?? "",
              similarity: match.Similarity ?? 0,
            }))
            .sort((a, b) => b.similarity - a.similarity),
        };
      } catch (error) {
        if (isNoFaceError(error)) return null;
        throw error;
      }
    },
    async deleteFaces(collectionId, faceIds) {
      const deleted: string[] = [];
      const unsuccessful: { face_id: string; reasons: string[] }[] = [];
      for (let start = 0; start < faceIds.length; start += DELETE_BATCH) {
        const response = await client.send(
          new DeleteFacesCommand({ CollectionId: collectionId, FaceIds: faceIds.slice(start, start + DELETE_BATCH) }),
        );
        deleted.push(...(response.DeletedFaces ?? []));
        for (const failure of response.UnsuccessfulFaceDeletions ?? []) {
          unsuccessful.push({ face_id: failure.FaceId ?? "", reasons: [...(failure.Reasons ?? [])] });
        }
      }
      return { deleted, unsuccessful };
    },
    async listFaces(collectionId, nextToken) {
      const response = await client.send(
        new ListFacesCommand({
          CollectionId: collectionId,
          MaxResults: LIST_PAGE,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      return {
        faces: (response.Faces ?? []).map((face) => ({
          faceId: face.FaceId ?? "",
          externalImageId: face.ExternalImageId ?? "",
        })),
        ...(response.NextToken ? { nextToken: response.NextToken } : {}),
      };
    },
  };
}

/** SearchFacesByImage answers InvalidParameterException "There are no faces in the image" for a faceless probe. */
function isNoFaceError(error: unknown): boolean {
  const shape = error as { name?: unknown; message?: unknown };
  return (
    shape.name === "InvalidParameterException" && typeof shape.message === "string" && /no faces/i.test(shape.message)
  );
}
