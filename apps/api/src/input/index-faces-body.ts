/**
 * The `POST /index_faces` body: its JSON schema (checked by Fastify before the handler) and the
 * rules a schema cannot say cheaply (S3 bucket naming, key bytes, the image itself).
 * Every problem is a 400 whose `msg` names the field and whose `code` is INVALID_<FIELD>.
 */
import {
  DEDUPE_MODES,
  DEFAULT_DEDUPE_THRESHOLD,
  QUALITY_FILTERS,
  type DedupeMode,
  type QualityFilter,
} from "@faceindex/contracts";
import { BadRequestError } from "../http/errors.ts";

export interface IndexFacesBody {
  image: string;
  bucket: string;
  image_key: string;
  external_image_id: string;
  max_faces?: number;
  quality_filter?: QualityFilter;
  dedupe?: DedupeMode;
  dedupe_threshold?: number;
}

/** What the route uses once the body is valid (the image is decoded separately). */
export interface IndexFacesRequest {
  image: string;
  bucket: string;
  imageKey: string;
  externalImageId: string;
  maxFaces: number;
  qualityFilter: QualityFilter;
  /** Absent for "off", so the job payload stays the seed's when no duplicate check is asked for. */
  dedupe?: { mode: Exclude<DedupeMode, "off">; threshold: number };
}

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
    dedupe_threshold: { type: "number", minimum: 0, maximum: 100, description: "Similarity of a duplicate (90)" },
  },
} as const;

const BUCKET = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
// Prefixes and suffixes S3 reserves for its own bucket kinds.
const RESERVED_BUCKET = /^(xn--|sthree-)|(-s3alias|--ol-s3|\.mrap|--x-s3)$/;
const EXTERNAL_IMAGE_ID = /^[a-zA-Z0-9_.\-:]{1,255}$/;
// Control characters (C0 and DEL) break S3 listings and logs.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
// S3 limits object keys to 1024 bytes of UTF-8.
const MAX_KEY_BYTES = 1024;
// U+FFFD is what invalid UTF-8 in the body decodes to, and a lone surrogate (a "\ud800" escape) has no
// UTF-8 form: either would store the object under a key the client never sent.
const NOT_UTF8 = /\uFFFD|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Validates every field (types too, so it is safe on any parsed JSON) and applies defaults. */
export function parseIndexFacesBody(body: unknown): IndexFacesRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new BadRequestError("INVALID_BODY", "body must be a JSON object");
  }
  const fields = body as Record<string, unknown>;
  const image = requiredString(fields, "image");
  const bucket = requiredString(fields, "bucket");
  const imageKey = requiredString(fields, "image_key");
  const externalImageId = requiredString(fields, "external_image_id");
  checkBucket(bucket);
  checkImageKey(imageKey);
  checkExternalImageId(externalImageId);
  const dedupe = parseDedupe(fields.dedupe, fields.dedupe_threshold);
  return {
    image,
    bucket,
    imageKey,
    externalImageId,
    maxFaces: parseMaxFaces(fields.max_faces),
    qualityFilter: parseQualityFilter(fields.quality_filter),
    ...(dedupe ? { dedupe } : {}),
  };
}

export function requiredString(fields: Record<string, unknown>, name: string): string {
  const value = fields[name];
  if (value === undefined || value === null) fail(name, "is required");
  if (typeof value !== "string") fail(name, "must be a string");
  if (value.length === 0) fail(name, "must not be empty");
  return value;
}

export function checkBucket(bucket: string): void {
  if (bucket.length < 3 || bucket.length > 63) fail("bucket", "must be 3-63 characters long");
  if (!BUCKET.test(bucket)) {
    fail("bucket", "must be lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit");
  }
  if (bucket.includes("..")) fail("bucket", "must not contain two adjacent dots");
  if (IPV4.test(bucket)) fail("bucket", "must not be formatted as an IP address");
  if (RESERVED_BUCKET.test(bucket)) fail("bucket", "uses a prefix or suffix S3 reserves");
}

export function checkExternalImageId(externalImageId: string): void {
  if (!EXTERNAL_IMAGE_ID.test(externalImageId)) {
    fail("external_image_id", "must be 1-255 characters of letters, digits, _ . - :");
  }
}

function checkImageKey(key: string): void {
  if (Buffer.byteLength(key, "utf8") > MAX_KEY_BYTES)
    fail("image_key", `must be at most ${MAX_KEY_BYTES} bytes of UTF-8`);
  if (CONTROL_CHARS.test(key)) fail("image_key", "must not contain control characters");
  if (NOT_UTF8.test(key))
    fail("image_key", "must be valid UTF-8 (it contains an invalid byte sequence or a lone surrogate)");
}

function parseMaxFaces(value: unknown): number {
  if (value === undefined) return 1;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 100) {
    fail("max_faces", "must be an integer from 1 to 100");
  }
  return value;
}

function parseQualityFilter(value: unknown): QualityFilter {
  if (value === undefined) return "AUTO";
  if (typeof value !== "string" || !(QUALITY_FILTERS as readonly string[]).includes(value)) {
    fail("quality_filter", `must be one of ${QUALITY_FILTERS.join(", ")}`);
  }
  return value as QualityFilter;
}

function parseDedupe(mode: unknown, threshold: unknown): IndexFacesRequest["dedupe"] {
  if (mode !== undefined && (typeof mode !== "string" || !(DEDUPE_MODES as readonly string[]).includes(mode))) {
    fail("dedupe", `must be one of ${DEDUPE_MODES.join(", ")}`);
  }
  if (threshold !== undefined && !isPercent(threshold)) fail("dedupe_threshold", "must be a number from 0 to 100");
  if (mode === undefined || mode === "off") return undefined;
  return {
    mode: mode as Exclude<DedupeMode, "off">,
    threshold: (threshold as number | undefined) ?? DEFAULT_DEDUPE_THRESHOLD,
  };
}

export function isPercent(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= 100;
}

export function fail(field: string, problem: string): never {
  throw new BadRequestError(`INVALID_${field.toUpperCase()}`, `${field} ${problem}`);
}
