/**
 * The `POST /search_faces` body: the probe image (as in index_faces), the smallest similarity of a
 * match and how many matches to return. Every problem is a 400 naming the field.
 */
import { DEFAULT_MAX_MATCHES, DEFAULT_SEARCH_THRESHOLD } from "@faceindex/contracts";
import { BadRequestError } from "../http/errors.ts";
import { fail, isPercent, requiredString } from "./index-faces-body.ts";

export interface SearchFacesRequest {
  image: string;
  threshold: number;
  maxMatches: number;
}

// No maxLength on `image`: ajv counts code points over megabytes; its size is checked as bytes.
export const searchFacesBodySchema = {
  type: "object",
  required: ["image"],
  properties: {
    image: { type: "string", description: "JPEG or PNG as base64, raw or a data URL" },
    threshold: { type: "number", minimum: 0, maximum: 100, description: "Smallest similarity of a match (80)" },
    max_matches: { type: "integer", minimum: 1, maximum: 100, description: "Most matches returned (10)" },
  },
} as const;

export function parseSearchFacesBody(body: unknown): SearchFacesRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new BadRequestError("INVALID_BODY", "body must be a JSON object");
  }
  const fields = body as Record<string, unknown>;
  const image = requiredString(fields, "image");
  const threshold = fields.threshold ?? DEFAULT_SEARCH_THRESHOLD;
  if (!isPercent(threshold)) fail("threshold", "must be a number from 0 to 100");
  const maxMatches = fields.max_matches ?? DEFAULT_MAX_MATCHES;
  if (typeof maxMatches !== "number" || !Number.isInteger(maxMatches) || maxMatches < 1 || maxMatches > 100) {
    fail("max_matches", "must be an integer from 1 to 100");
  }
  return { image, threshold, maxMatches };
}
