/**
 * The scopes a token may carry, one per route (apps/api declares which route needs which). Shared so the
 * dev-token signer and the API agree on the names.
 */
export const SCOPES = ["faces:index", "faces:search", "faces:delete", "jobs:read", "audit:read"] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
