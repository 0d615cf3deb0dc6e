/**
 * The `POST /index_faces` body. Its JSON schema (checked by Fastify before the handler) states the
 * shapes, ranges, enums and defaults; indexFacesRequest adds only what a schema cannot say (field-rules.ts)
 * and renames the fields for the job. The image itself is decoded and checked by image-input.ts.
 */
import {
  DEDUPE_MODES,
  DEFAULT_DEDUPE_THRESHOLD,
  QUALITY_FILTERS,
  QUALITY_GATE_MODES,
  type DedupeMode,
  type QualityFilter,
  type QualityGateMode,
} from "@faceindex/contracts";
import { checkBucket, checkExternalImageId, checkImageKey, checkNotEmpty } from "./field-rules.ts";

// No maxLength on `image`: ajv counts code points over megabytes; its size is checked as bytes.
export const indexFacesBodySchema = {
  type: "object",
  required: ["image", "bucket", "image_key", "external_image_id"],
  properties: {
    image: { type: "string", description: "JPEG or PNG as base64, raw or a data URL" },
    bucket: { type: "string", description: "S3 bucket the image is stored in" },
    image_key: { type: "string", description: "S3 object key for the image" },
    external_image_id: { type: "string", description: "Id stored with the face record" },
    max_faces: { type: "integer", minimum: 1, maximum: 100, default: 1 },
    quality_filter: { type: "string", enum: [...QUALITY_FILTERS], default: "AUTO" },
    dedupe: { type: "string", enum: [...DEDUPE_MODES], description: "Duplicate check against other external ids" },
    dedupe_threshold: {
      type: "number",
      minimum: 0,
      maximum: 100,
      default: DEFAULT_DEDUPE_THRESHOLD,
      description: "Similarity of a duplicate",
    },
    // No schema default: an absent field takes the deployment's QUALITY_GATE.
    quality_gate: {
      type: "string",
      enum: [...QUALITY_GATE_MODES],
      description:
        "KYC capture check before indexing (eyes, occlusion, pose, sharpness, brightness); default QUALITY_GATE",
    },
  },
} as const;

/** The body as the schema leaves it: required fields present, defaults applied. */
export interface IndexFacesBody {
  /** Base64 text (JSON, or a text field of a form), or the bytes of a multipart file part. */
  image: string | Buffer;
  bucket: string;
  image_key: string;
  external_image_id: string;
  max_faces: number;
  quality_filter: QualityFilter;
  dedupe?: DedupeMode;
  dedupe_threshold: number;
  quality_gate?: QualityGateMode;
}

/** What the route uses once the body is valid (the image is decoded separately). */
export interface IndexFacesRequest {
  image: string | Buffer;
  bucket: string;
  imageKey: string;
  externalImageId: string;
  maxFaces: number;
  qualityFilter: QualityFilter;
  /** Absent for "off", so the job payload stays the seed's when no duplicate check is asked for. */
  dedupe?: { mode: Exclude<DedupeMode, "off">; threshold: number };
  /** The body's quality_gate, else the deployment's default. */
  qualityGate: QualityGateMode;
}

/**
 * `body` has passed indexFacesBodySchema; throws a 400 for what the schema cannot say. `defaultQualityGate`
 * is the deployment's QUALITY_GATE, for a body that does not choose.
 */
export function indexFacesRequest(
  body: IndexFacesBody,
  defaultQualityGate: QualityGateMode = "off",
): IndexFacesRequest {
  checkNotEmpty("image", body.image);
  checkNotEmpty("bucket", body.bucket);
  checkNotEmpty("image_key", body.image_key);
  checkNotEmpty("external_image_id", body.external_image_id);
  checkBucket(body.bucket);
  checkImageKey(body.image_key);
  checkExternalImageId(body.external_image_id);
  const mode = body.dedupe;
  return {
    image: body.image,
    bucket: body.bucket,
    imageKey: body.image_key,
    externalImageId: body.external_image_id,
    maxFaces: body.max_faces,
    qualityFilter: body.quality_filter,
    ...(mode === undefined || mode === "off" ? {} : { dedupe: { mode, threshold: body.dedupe_threshold } }),
    qualityGate: body.quality_gate ?? defaultQualityGate,
  };
}
