/** Opaque NextToken values: a position in a sorted order, base64 so clients do not build them by hand. */
import { RekognitionError } from "./errors.ts";

export const encodeToken = (position: string | number): string =>
  Buffer.from(JSON.stringify({ after: position })).toString("base64url");

export function decodeToken<T extends string | number>(token: string, kind: "string" | "number"): T {
  try {
    const { after } = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { after?: unknown };
    if (typeof after === kind) return after as T;
  } catch {
    // Falls through to the error below.
  }
  throw new RekognitionError("InvalidPaginationTokenException", "Invalid pagination token");
}
