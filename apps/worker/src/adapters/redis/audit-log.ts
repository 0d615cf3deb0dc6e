/** The audit trail as the jobs write it: @faceindex/audit bound to this worker's Redis, prefix and retention. */
import type { Redis } from "ioredis";
import { recordAudit, type AuditEntry } from "@faceindex/audit";

export interface AuditLog {
  record(tenant: string, entry: AuditEntry): Promise<void>;
}

export function createAuditLog(redis: Pick<Redis, "multi">, prefix: string, retentionMs: number): AuditLog {
  return { record: (tenant, entry) => recordAudit(redis, { prefix, tenant, retentionMs }, entry) };
}
