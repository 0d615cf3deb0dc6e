/**
 * The scopes a verified token grants: its `scope` claim (space-separated, as OAuth 2.0 writes it) or its
 * `scp` claim (an array, as some identity providers write it). A token with neither claim gets the
 * configured default scopes (JWT_DEFAULT_SCOPES; none unless set), for dashboards whose tokens carry none.
 * Unknown scope names are ignored: they may belong to another service sharing the identity provider.
 */
import { isScope, type Scope } from "@faceindex/contracts";

export function scopesOf(claims: Record<string, unknown>, defaultScopes: readonly Scope[]): ReadonlySet<Scope> {
  const { scope, scp } = claims;
  if (scope === undefined && scp === undefined) return new Set(defaultScopes);
  const names: unknown[] = [];
  if (typeof scope === "string") names.push(...scope.split(" "));
  if (Array.isArray(scp)) names.push(...(scp as unknown[]));
  // A `scp` written as one string is as common as the array form.
  else if (typeof scp === "string") names.push(...scp.split(" "));
  return new Set(names.filter((name): name is Scope => typeof name === "string" && isScope(name)));
}
