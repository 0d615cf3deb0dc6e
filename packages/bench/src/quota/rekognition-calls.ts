/**
 * Counts the local Rekognition server's calls from its log: it writes one JSON line per call with the
 * operation, status and AWS error code (LOG_LEVEL=info), and exposes no counters of its own.
 */
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

export interface CallCounts {
  /** Calls of the operation, answered or refused. */
  calls: number;
  /** Of those, refused with ProvisionedThroughputExceededException (the TPS quota). */
  throttled: number;
}

export interface CallCounter {
  /** Counts so far for one operation. */
  counts(operation: string): CallCounts;
}

const THROTTLED = "ProvisionedThroughputExceededException";

export function countCalls(log: Readable): CallCounter {
  const byOperation = new Map<string, CallCounts>();
  createInterface({ input: log }).on("line", (line) => {
    const entry = parseLine(line);
    if (!entry || entry.msg !== "request" || typeof entry.operation !== "string") return;
    const counts = byOperation.get(entry.operation) ?? { calls: 0, throttled: 0 };
    counts.calls++;
    if (entry.code === THROTTLED) counts.throttled++;
    byOperation.set(entry.operation, counts);
  });
  return { counts: (operation) => ({ ...(byOperation.get(operation) ?? { calls: 0, throttled: 0 }) }) };
}

function parseLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
