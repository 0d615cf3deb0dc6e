/**
 * Appends an entry to the audit trail: to the stream of the person it is about, of every person it
 * matched, and (searches) to the tenant's search trail, in one MULTI so the views agree. Each write trims
 * what is older than the retention (XADD MINID) and pushes the stream's expiry out to the retention, so
 * the trail of a person nobody touches again disappears on its own once all of it is past retention.
 */
import type { Redis } from "ioredis";
import type { AuditEntry } from "./audit-entry.ts";
import { auditPersonKey, auditSearchKey } from "./audit-keys.ts";

export interface AuditWriteScope {
  prefix: string;
  tenant: string;
  /** How long entries are kept (AUDIT_RETENTION_DAYS in the apps). */
  retentionMs: number;
}

/** The 400 days the apps default to: KYC record-keeping asks for a year and more. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 400;

export async function recordAudit(
  redis: Pick<Redis, "multi">,
  { prefix, tenant, retentionMs }: AuditWriteScope,
  entry: AuditEntry,
  now: number = Date.now(),
): Promise<void> {
  const people = new Set([
    ...(entry.external_image_id === null ? [] : [entry.external_image_id]),
    ...(entry.matched_external_ids ?? []),
  ]);
  const keys = [...[...people].map((id) => auditPersonKey(prefix, tenant, id))];
  if (entry.action === "search") keys.push(auditSearchKey(prefix, tenant));
  if (keys.length === 0) return;
  const value = JSON.stringify(entry);
  // Stream ids are milliseconds-sequence: everything below this one is past retention.
  const oldestKept = `${Math.max(0, now - retentionMs)}-0`;
  const multi = redis.multi();
  for (const key of keys) {
    multi.xadd(key, "MINID", oldestKept, "*", "entry", value).pexpire(key, retentionMs);
  }
  const results = (await multi.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
}
