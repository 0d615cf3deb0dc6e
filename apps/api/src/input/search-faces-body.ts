/**
 * The `POST /search_faces` body: the probe image (as in index_faces), the smallest similarity of a
 * match and how many matches to return. The schema states shapes, ranges and defaults; the image
 * itself is decoded and checked by image-input.ts.
 */
import { DEFAULT_MAX_MATCHES, DEFAULT_SEARCH_THRESHOLD } from "@faceindex/contracts";
import { checkNotEmpty } from "./field-rules.ts";

// No maxLength on `image`: ajv counts code points over megabytes; its size is checked as bytes.
export const searchFacesBodySchema = {
  type: "object",
  required: ["image"],
  properties: {
    image: { type: "string", description: "JPEG or PNG as base64, raw or a data URL" },
    threshold: {
      type: "number",
      minimum: 0,
      maximum: 100,
      default: DEFAULT_SEARCH_THRESHOLD,
      description: "Smallest similarity of a match",
    },
    max_matches: {
      type: "integer",
      minimum: 1,
      maximum: 100,
      default: DEFAULT_MAX_MATCHES,
      description: "Most matches returned",
    },
  },
} as const;

/** The body as the schema leaves it: required fields present, defaults applied. */
export interface SearchFacesBody {
  image: string;
  threshold: number;
  max_matches: number;
}

export interface SearchFacesRequest {
  image: string;
  threshold: number;
  maxMatches: number;
}

/** `body` has passed searchFacesBodySchema; throws a 400 for what the schema cannot say. */
export function searchFacesRequest(body: SearchFacesBody): SearchFacesRequest {
  checkNotEmpty("image", body.image);
  return { image: body.image, threshold: body.threshold, maxMatches: body.max_matches };
}
