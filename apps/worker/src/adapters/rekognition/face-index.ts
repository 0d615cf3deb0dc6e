/**
 * Rekognition behind our own small interface: the rest of the worker sees the contract's types only.
 */
import {
  CreateCollectionCommand,
  IndexFacesCommand,
  type IndexFacesCommandOutput,
  type RekognitionClient,
} from "@aws-sdk/client-rekognition";
import type { IndexedFace, QualityFilter, UnindexedFace } from "@faceindex/contracts";
import { boxArea, toBoundingBox } from "./bounding-box.ts";

export interface IndexFacesRequest {
  collectionId: string;
  bucket: string;
  key: string;
  externalImageId: string;
  maxFaces: number;
  qualityFilter: QualityFilter;
}

export interface IndexFacesResult {
  faceModelVersion: string;
  /** Largest face first. */
  indexed: IndexedFace[];
  unindexed: UnindexedFace[];
}

export interface FaceIndex {
  /** Creates the collection unless it exists; true when this call created it. */
  ensureCollection(collectionId: string): Promise<boolean>;
  indexFaces(request: IndexFacesRequest): Promise<IndexFacesResult>;
}

export function createFaceIndex(client: Pick<RekognitionClient, "send">): FaceIndex {
  return {
    async ensureCollection(collectionId) {
      try {
        await client.send(new CreateCollectionCommand({ CollectionId: collectionId }));
        return true;
      } catch (error) {
        // Create-and-ignore-exists rather than describe-then-create: safe when several workers start at once.
        if ((error as { name?: string }).name === "ResourceAlreadyExistsException") return false;
        throw error;
      }
    },
    async indexFaces(request) {
      const response = await client.send(
        new IndexFacesCommand({
          CollectionId: request.collectionId,
          Image: { S3Object: { Bucket: request.bucket, Name: request.key } },
          ExternalImageId: request.externalImageId,
          MaxFaces: request.maxFaces,
          QualityFilter: request.qualityFilter,
        }),
      );
      return toIndexFacesResult(response);
    },
  };
}

/** Maps Rekognition's answer to the contract's snake_case records. */
export function toIndexFacesResult(
  response: Pick<IndexFacesCommandOutput, "FaceRecords" | "UnindexedFaces" | "FaceModelVersion">,
): IndexFacesResult {
  const indexed = (response.FaceRecords ?? []).map((record): IndexedFace => ({
    face_id: record.Face?.FaceId ?? "",
    image_id: record.Face?.ImageId ?? "",
    external_image_id: record.Face?.ExternalImageId ?? "",
    confidence: record.Face?.Confidence ?? record.FaceDetail?.Confidence ?? 0,
    bounding_box: toBoundingBox(record.Face?.BoundingBox ?? record.FaceDetail?.BoundingBox),
  }));
  const unindexed = (response.UnindexedFaces ?? []).map((face): UnindexedFace => ({
    reasons: [...(face.Reasons ?? [])],
    confidence: face.FaceDetail?.Confidence ?? 0,
    bounding_box: toBoundingBox(face.FaceDetail?.BoundingBox),
  }));
  // Rekognition does not promise an order; callers expect the main (largest) face first.
  indexed.sort((a, b) => boxArea(b.bounding_box) - boxArea(a.bounding_box));
  return { faceModelVersion: response.FaceModelVersion ?? "", indexed, unindexed };
}
