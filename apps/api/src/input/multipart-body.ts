/**
 * multipart/form-data on the image routes, as KwikID's sibling APIs take it: an \`image\` file part plus the
 * same fields as the JSON body, so a client skips base64 (a third fewer bytes, no decode). The parts are
 * gathered into the JSON body's shape before validation, so one schema (with the image as bytes), the same
 * rules and the same answers apply to both.
 */
import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyRequest } from "fastify";

// One image and the handful of text fields of any route; more is not a request of ours.
const MAX_FILES = 1;
const MAX_FIELDS = 12;
// Text fields are ids, keys and numbers: S3 keys are at most 1024 bytes, so 4 KiB is plenty.
const MAX_FIELD_BYTES = 4 * 1024;

/** Registers the parser; a file part larger than maxImageBytes is refused (413) while it streams in. */
export function registerMultipart(app: FastifyInstance, maxImageBytes: number): void {
  void app.register(multipart, {
    // Text fields become strings and the file part a Buffer, under their field names.
    attachFieldsToBody: "keyValues",
    limits: {
      fileSize: maxImageBytes,
      files: MAX_FILES,
      fields: MAX_FIELDS,
      parts: MAX_FILES + MAX_FIELDS,
      fieldSize: MAX_FIELD_BYTES,
    },
  });
}

/**
 * Form fields are text: the numeric ones (\`numericFields\`) are turned into numbers when they read as
 * one, so the route's schema checks their ranges as for JSON (and refuses "abc" with the same 400).
 */
export function numbersFromForm(numericFields: readonly string[]) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!request.isMultipart()) return;
    const body = request.body as Record<string, unknown> | undefined;
    if (!body) return;
    for (const field of numericFields) {
      const value = body[field];
      if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)) body[field] = Number(value);
    }
  };
}

/** The JSON body schema with the image as either a string (base64 in a text field) or the file's bytes. */
export function multipartSchemaOf<Schema extends { properties: { image: object } }>(schema: Schema): Schema {
  // ajv cannot state "a Buffer"; the handler checks the image's type, bytes and size (image-input.ts).
  return { ...schema, properties: { ...schema.properties, image: { description: "the JPEG or PNG file part" } } };
}
