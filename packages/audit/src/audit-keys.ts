/**
 * Where the audit trail lives: Redis streams under the queue prefix (same `{...}` hash tag, so one cluster
 * slot with everything else), one per (tenant, external id) and one per tenant for its searches.
 * The tenant is URI-encoded so a ":" in it can never make two tenants' keys meet; the external id is the
 * key's last part, so it needs no encoding.
 */
export function auditPersonKey(prefix: string, tenant: string, externalImageId: string): string {
  return `${prefix}:audit:${encodeURIComponent(tenant)}:ext:${externalImageId}`;
}

export function auditSearchKey(prefix: string, tenant: string): string {
  return `${prefix}:audit:${encodeURIComponent(tenant)}:search`;
}
