/**
 * Who may do what, once a token is verified: its tenant (from the tenant claim, checked against the
 * configured tenants) and its scopes. Refusals are 403 `{msg, code}`: the token is valid, the caller is
 * not allowed (401 stays for tokens that are not valid at all).
 */
import { DEFAULT_TENANT, type Scope } from "@faceindex/contracts";
import { ForbiddenError } from "../http/errors.ts";
import { scopesOf } from "./scopes.ts";
import type { Tenant } from "./tenants.ts";

export interface AccessPolicy {
  /** The claim naming the caller's tenant (JWT_TENANT_CLAIM). */
  tenantClaim: string;
  /** Configured tenants (TENANTS), or the one tenant of a single-tenant service. */
  tenants: { kind: "multi"; byName: ReadonlyMap<string, Tenant> } | { kind: "single"; tenant: Tenant };
  /** Scopes of a token with no scope claim at all (JWT_DEFAULT_SCOPES); empty = such tokens may do nothing. */
  defaultScopes: readonly Scope[];
}

export interface Access {
  tenant: Tenant;
  scopes: ReadonlySet<Scope>;
}

export function resolveAccess(policy: AccessPolicy, claims: Record<string, unknown>): Access {
  return { tenant: tenantOf(policy, claims), scopes: scopesOf(claims, policy.defaultScopes) };
}

function tenantOf(policy: AccessPolicy, claims: Record<string, unknown>): Tenant {
  const claimed = claims[policy.tenantClaim];
  if (claimed !== undefined && typeof claimed !== "string") {
    throw new ForbiddenError("UNKNOWN_TENANT", `the token's ${policy.tenantClaim} claim must be a string`);
  }
  const { tenants } = policy;
  if (tenants.kind === "single") {
    // A token made for a tenant this service does not host must not land in the default tenant's data.
    if (claimed !== undefined && claimed !== DEFAULT_TENANT) throw unknownTenant(claimed);
    return tenants.tenant;
  }
  if (claimed === undefined || claimed === "") {
    throw new ForbiddenError(
      "TENANT_REQUIRED",
      `the token has no ${policy.tenantClaim} claim; this service hosts tenants`,
    );
  }
  const tenant = tenants.byName.get(claimed);
  if (!tenant) throw unknownTenant(claimed);
  return tenant;
}

function unknownTenant(claimed: string): ForbiddenError {
  // The name is the caller's own claim, but keep logs and answers short: cut an absurdly long one.
  return new ForbiddenError("UNKNOWN_TENANT", `tenant ${JSON.stringify(claimed.slice(0, 64))} is not configured here`);
}

/** 403 INSUFFICIENT_SCOPE unless the caller holds `scope`. */
export function requireScope(access: Access, scope: Scope): void {
  if (!access.scopes.has(scope)) {
    throw new ForbiddenError("INSUFFICIENT_SCOPE", `the token lacks the ${scope} scope`, { required_scope: scope });
  }
}

/** 403 BUCKET_NOT_ALLOWED unless the tenant may write to (or erase from) `bucket`. */
export function requireBucket(tenant: Tenant, bucket: string): void {
  if (!tenant.buckets.has(bucket)) {
    throw new ForbiddenError("BUCKET_NOT_ALLOWED", `bucket ${bucket} is not one of this tenant's buckets`);
  }
}
