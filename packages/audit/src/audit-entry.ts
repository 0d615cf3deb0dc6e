/**
 * One line of the audit trail: who did what to whose biometric data, and how it ended. It names the
 * data (external id, face ids, object keys) and never holds it: no image bytes, no tokens.
 */
export const AUDIT_ACTIONS = ["enrol", "refuse", "search", "erase"] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  /** ISO 8601, when the outcome was reached. */
  time: string;
  action: AuditAction;
  /** The token's `sub`: who asked. */
  subject: string;
  /** The person the request was about; null for a search (it is about whoever it matched). */
  external_image_id: string | null;
  /** Faces indexed (enrol), deleted (erase), or matched (search, refuse as a duplicate). */
  face_ids: string[];
  /** S3 keys stored (enrol, refuse) or deleted (erase). */
  object_keys: string[];
  /**
   * The other people the request touched: a search's matches, a duplicate check's look-alikes. The entry is
   * also filed under each of them, so "who looked at this person" has an answer.
   */
  matched_external_ids?: string[];
  request_id: string;
  job_id: string;
  outcome: { status: string; code?: string };
}

/** An entry as read back, with the id of its place in the trail. */
export interface StoredAuditEntry extends AuditEntry {
  id: string;
}
