/**
 * The `POST /delete_faces_from_collection` body: bucket and external id follow the index_faces rules
 * (same messages, same INVALID_<FIELD> codes); delete_image also removes the stored S3 objects.
 */
import { checkBucket, checkExternalImageId, fail, requiredString } from "./index-faces-body.ts";
import { BadRequestError } from "../http/errors.ts";

export interface DeleteFacesRequest {
  bucket: string;
  externalImageId: string;
  deleteImage: boolean;
}

export const deleteFacesBodySchema = {
  type: "object",
  required: ["bucket", "external_image_id"],
  properties: {
    bucket: { type: "string", description: "S3 bucket the faces' images were stored in" },
    external_image_id: { type: "string", description: "Id the faces were indexed under" },
    delete_image: { type: "boolean", default: false, description: "Also delete the stored images" },
  },
} as const;

export function parseDeleteFacesBody(body: unknown): DeleteFacesRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new BadRequestError("INVALID_BODY", "body must be a JSON object");
  }
  const fields = body as Record<string, unknown>;
  const bucket = requiredString(fields, "bucket");
  const externalImageId = requiredString(fields, "external_image_id");
  checkBucket(bucket);
  checkExternalImageId(externalImageId);
  const deleteImage = fields.delete_image ?? false;
  if (typeof deleteImage !== "boolean") fail("delete_image", "must be true or false");
  return { bucket, externalImageId, deleteImage };
}
