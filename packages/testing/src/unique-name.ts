import { randomUUID } from "node:crypto";

/** A name no other test uses (queues, collections, buckets), so test files can run in parallel. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
