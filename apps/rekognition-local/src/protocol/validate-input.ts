/**
 * Validates a request body against the operation's input shape in the service model, with AWS's own
 * wording ("1 validation error detected: Value 'x y' at 'collectionId' failed to satisfy constraint: ...").
 * Wrong JSON types are SerializationException (the body cannot be read as the shape); constraint
 * violations are InvalidParameterException, or ValidationException for operations that do not list it.
 */
import { RekognitionError, serialization } from "./errors.ts";
import type { Operation, ServiceModel, Shape } from "./service-model.ts";

/** The decoded size of base64 text, without decoding it (a 5 MB image is checked cheaply). */
export function base64DecodedLength(text: string): number {
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  return Math.floor((text.length * 3) / 4) - padding;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function validateInput(model: ServiceModel, operation: Operation, body: unknown): void {
  if (!operation.input) return;
  const problems: string[] = [];
  checkValue(model, operation.input.shape, body, "", problems);
  if (problems.length === 0) return;
  const code = operation.errors?.some((e) => e.shape === "InvalidParameterException")
    ? "InvalidParameterException"
    : "ValidationException";
  const count = problems.length === 1 ? "1 validation error" : `${problems.length} validation errors`;
  throw new RekognitionError(code, `${count} detected: ${problems.join("; ")}`);
}

/** AWS names members in messages with a lower-case first letter, dotted: 'image.s3Object.bucket'. */
function memberPath(parent: string, member: string): string {
  const name = member.charAt(0).toLowerCase() + member.slice(1);
  return parent ? `${parent}.${name}` : name;
}

function describe(value: unknown, shape: Shape): string {
  if (shape.type === "blob" && typeof value === "string")
    return `java.nio.HeapByteBuffer[size=${base64DecodedLength(value)}]`;
  if (typeof value === "string") return value.length > 100 ? `${value.slice(0, 100)}...` : value;
  return JSON.stringify(value) ?? String(value);
}

function fail(problems: string[], value: unknown, shape: Shape, path: string, constraint: string): void {
  problems.push(
    `Value '${describe(value, shape)}' at '${path}' failed to satisfy constraint: Member must ${constraint}`,
  );
}

/** The model's min/max on a list's items, a string's characters or a blob's decoded bytes. */
function checkLength(problems: string[], value: unknown, shape: Shape, path: string, length: number): void {
  if (shape.min !== undefined && length < shape.min)
    fail(problems, value, shape, path, `have length greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && length > shape.max)
    fail(problems, value, shape, path, `have length less than or equal to ${shape.max}`);
}

const patterns = new Map<string, RegExp | null>();

/** Model patterns are Java regexes matched against the whole value; the few JS cannot compile are skipped. */
function compilePattern(pattern: string): RegExp | null {
  if (!patterns.has(pattern)) {
    try {
      patterns.set(pattern, new RegExp(`^(?:${pattern})$`, "s"));
    } catch {
      patterns.set(pattern, null);
    }
  }
  return patterns.get(pattern) ?? null;
}

function checkValue(model: ServiceModel, shapeName: string, value: unknown, path: string, problems: string[]): void {
  const shape = model.shapes[shapeName];
  if (!shape || value === null || value === undefined) return;
  const where = path || "body";
  switch (shape.type) {
    case "structure": {
      if (typeof value !== "object" || Array.isArray(value)) throw serialization(`Expected an object at '${where}'`);
      const record = value as Record<string, unknown>;
      for (const name of shape.required ?? []) {
        if (record[name] === undefined || record[name] === null) {
          problems.push(
            `Value null at '${memberPath(path, name)}' failed to satisfy constraint: Member must not be null`,
          );
        }
      }
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        checkValue(model, ref.shape, record[name], memberPath(path, name), problems);
      }
      return;
    }
    case "list": {
      if (!Array.isArray(value)) throw serialization(`Expected a list at '${where}'`);
      checkLength(problems, value, shape, where, value.length);
      value.forEach((item, i) => checkValue(model, shape.member!.shape, item, `${where}.${i + 1}.member`, problems));
      return;
    }
    case "map": {
      if (typeof value !== "object" || Array.isArray(value)) throw serialization(`Expected a map at '${where}'`);
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        checkValue(model, shape.key!.shape, key, `${where}.key`, problems);
        checkValue(model, shape.value!.shape, item, `${where}.${key}`, problems);
      }
      return;
    }
    case "string": {
      if (typeof value !== "string") throw serialization(`Expected a string at '${where}'`);
      checkLength(problems, value, shape, where, value.length);
      if (shape.enum && !shape.enum.includes(value))
        fail(problems, value, shape, where, `satisfy enum value set: [${shape.enum.join(", ")}]`);
      const regex = shape.pattern ? compilePattern(shape.pattern) : null;
      if (regex && !regex.test(value))
        fail(problems, value, shape, where, `satisfy regular expression pattern: ${shape.pattern}`);
      return;
    }
    case "integer":
    case "long":
    case "float":
    case "double": {
      if (typeof value !== "number" || !Number.isFinite(value)) throw serialization(`Expected a number at '${where}'`);
      if ((shape.type === "integer" || shape.type === "long") && !Number.isInteger(value))
        throw serialization(`Expected an integer at '${where}'`);
      if (shape.min !== undefined && value < shape.min)
        fail(problems, value, shape, where, `have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value > shape.max)
        fail(problems, value, shape, where, `have value less than or equal to ${shape.max}`);
      return;
    }
    case "boolean":
      if (typeof value !== "boolean") throw serialization(`Expected a boolean at '${where}'`);
      return;
    case "blob": {
      if (typeof value !== "string" || !BASE64.test(value)) throw serialization(`Expected base64 data at '${where}'`);
      const size = base64DecodedLength(value);
      // Image bytes over the limit are ImageTooLargeException in AWS, not a validation error.
      if (shapeName === "ImageBlob" && shape.max !== undefined && size > shape.max) {
        throw new RekognitionError(
          "ImageTooLargeException",
          `Image size ${size} bytes exceeds the maximum of ${shape.max} bytes for image bytes (upload larger images to S3 and pass S3Object)`,
        );
      }
      checkLength(problems, value, shape, where, size);
      return;
    }
    case "timestamp":
      if (typeof value !== "number" && typeof value !== "string")
        throw serialization(`Expected a timestamp at '${where}'`);
      return;
  }
}
