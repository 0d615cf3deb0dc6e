/** Request ids: the caller's X-Request-Id when it is a sane token, else a fresh uuid. */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** Longest X-Request-Id kept (longer ones are replaced): GET /jobs/:request_id looks up this many characters. */
export const MAX_REQUEST_ID_CHARS = 128;
// The id becomes a BullMQ job id and a Redis key part: no ':' (BullMQ refuses it), bounded length.
const SANE_ID = new RegExp(`^[A-Za-z0-9_-]{8,${MAX_REQUEST_ID_CHARS}}$`);
// BullMQ refuses custom job ids that are plain integers (they clash with its own counter).
const DIGITS_ONLY = /^\d+$/;

export function requestIdFor(request: IncomingMessage): string {
  const header = request.headers["x-request-id"];
  if (typeof header === "string" && SANE_ID.test(header) && !DIGITS_ONLY.test(header)) return header;
  return randomUUID();
}
