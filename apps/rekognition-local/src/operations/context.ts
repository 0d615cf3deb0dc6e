/** What every operation handler receives: the collections, the face engine and S3 (for S3Object images). */
import type { S3Client } from "@aws-sdk/client-s3";
import type { FaceEngine } from "@faceindex/face-engine";
import type { CollectionStore } from "../store/collection-store.ts";

export interface OperationContext {
  store: CollectionStore;
  engine: Pick<FaceEngine, "analyse">;
  s3: Pick<S3Client, "send">;
}

/** A handler gets the request body already validated against the model's input shape. */
export type OperationHandler = (input: never, context: OperationContext) => Promise<object>;
