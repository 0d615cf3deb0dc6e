/**
 * The `POST /delete_faces_from_collection` body: bucket and external id follow the index_faces rules
 * (same messages, same INVALID_<FIELD> codes); delete_image also removes the stored S3 objects. The
 * schema states shapes and the default; deleteFacesRequest adds only what it cannot say.
 */
import { checkBucket, checkExternalImageId, checkNotEmpty } from "./field-rules.ts";

export const deleteFacesBodySchema = {
  type: "object",
  required: ["bucket", "external_image_id"],
  properties: {
    bucket: { type: "string", description: "S3 bucket the faces' images were stored in" },
    external_image_id: { type: "string", description: "Id the faces were indexed under" },
    delete_image: { type: "boolean", default: false, description: "Also delete the stored images" },
  },
} as const;

/** The body as the schema leaves it: required fields present, defaults applied. */
export interface DeleteFacesBody {
  bucket: string;
  external_image_id: string;
  delete_image: boolean;
}

export interface DeleteFacesRequest {
  bucket: string;
  externalImageId: string;
  deleteImage: boolean;
}

/** `body` has passed deleteFacesBodySchema; throws a 400 for what the schema cannot say. */
export function deleteFacesRequest(body: DeleteFacesBody): DeleteFacesRequest {
  checkNotEmpty("bucket", body.bucket);
  checkNotEmpty("external_image_id", body.external_image_id);
  checkBucket(body.bucket);
  checkExternalImageId(body.external_image_id);
  return { bucket: body.bucket, externalImageId: body.external_image_id, deleteImage: body.delete_image };
}
