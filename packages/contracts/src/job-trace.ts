/**
 * What ties a job to the HTTP request that submitted it, for the logs: the API's request id (the
 * `reqId` of its request log lines) and the caller's W3C `traceparent`, when it sent a valid one. Carried
 * in every kind's payload, optional so jobs enqueued by an older API stay valid.
 */
import { z } from "zod";

/** W3C Trace Context: version-traceid-parentid-flags, lowercase hex. https://www.w3.org/TR/trace-context/#traceparent-header */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export const jobTraceSchema = z.object({
  requestId: z.string().min(1).max(128),
  traceparent: z.string().regex(TRACEPARENT).optional(),
});

export type JobTrace = z.infer<typeof jobTraceSchema>;

/**
 * The header when it is a valid traceparent, else undefined: version ff and all-zero ids are invalid by
 * the spec, and a version-00 header must be exactly its 55 characters (later versions may append fields).
 */
export function parseTraceparent(header: unknown): string | undefined {
  if (typeof header !== "string") return undefined;
  const value = header.trim();
  const match = TRACEPARENT.exec(value.slice(0, 55));
  if (!match) return undefined;
  const [, version, traceId, parentId] = match;
  if (version === "ff" || /^0+$/.test(traceId ?? "") || /^0+$/.test(parentId ?? "")) return undefined;
  if (version === "00" && value.length !== 55) return undefined;
  return value.slice(0, 55);
}

/** The log fields of a job's trace, read from its raw data (never trusted: a bad trace adds no field). */
export function traceLogFields(data: unknown): { reqId?: string; traceparent?: string } {
  const parsed = jobTraceSchema.safeParse((data as { trace?: unknown } | null | undefined)?.trace);
  if (!parsed.success) return {};
  return { reqId: parsed.data.requestId, ...(parsed.data.traceparent ? { traceparent: parsed.data.traceparent } : {}) };
}
