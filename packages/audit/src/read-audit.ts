/**
 * Reads a person's audit trail (or the tenant's search trail) newest first, a page at a time: the cursor
 * is the stream id of the last entry of the previous page, and the next page starts just below it.
 */
import type { Redis } from "ioredis";
import type { AuditEntry, StoredAuditEntry } from "./audit-entry.ts";
import { auditPersonKey, auditSearchKey } from "./audit-keys.ts";

export interface AuditReadScope {
  prefix: string;
  tenant: string;
}

export interface AuditQuery {
  /** Whose trail; absent = the tenant's search trail (every search, including those that matched no one). */
  externalImageId?: string | undefined;
  /** Entries per page, 1-MAX_AUDIT_PAGE. */
  limit: number;
  /** nextCursor of the previous page; absent = the newest entries. */
  cursor?: string | undefined;
}

export interface AuditPage {
  entries: StoredAuditEntry[];
  /** Pass as `cursor` for the next (older) page; null when this page is the last. */
  nextCursor: string | null;
}

/** A page larger than this is a dump, not a page: keeps one answer small. */
export const MAX_AUDIT_PAGE = 1000;

/** A cursor that is not one readAudit handed out (the API answers it with a 400). */
export class InvalidAuditQueryError extends Error {}

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

export async function readAudit(
  redis: Pick<Redis, "xrevrange">,
  { prefix, tenant }: AuditReadScope,
  { externalImageId, limit, cursor }: AuditQuery,
): Promise<AuditPage> {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE) {
    throw new InvalidAuditQueryError(`limit must be an integer from 1 to ${MAX_AUDIT_PAGE}`);
  }
  if (cursor !== undefined && !STREAM_ID.test(cursor)) throw new InvalidAuditQueryError("cursor is not valid");
  const key =
    externalImageId === undefined ? auditSearchKey(prefix, tenant) : auditPersonKey(prefix, tenant, externalImageId);
  // "(" makes the bound exclusive (Redis 6.2+): the cursor's own entry was on the previous page. One more
  // than asked tells whether an older page exists.
  const rows = await redis.xrevrange(key, cursor === undefined ? "+" : `(${cursor}`, "-", "COUNT", limit + 1);
  const entries = rows.slice(0, limit).map(([id, fields]) => ({ id, ...parseEntry(fields) }));
  const last = entries.at(-1);
  return { entries, nextCursor: rows.length > limit && last ? last.id : null };
}

function parseEntry(fields: string[]): AuditEntry {
  const at = fields.indexOf("entry");
  return JSON.parse(fields[at + 1] ?? "{}") as AuditEntry;
}
