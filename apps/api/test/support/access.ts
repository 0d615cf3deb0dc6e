/** Access policies for test apps: single-tenant over the buckets tests use, or the tenants a test configures. */
import type { Scope } from "@faceindex/contracts";
import type { AccessPolicy } from "../../src/auth/access-policy.ts";
import { parseTenants, singleTenant } from "../../src/auth/tenants.ts";

/** The buckets the harness bodies use (validBody's "kyc-faces"). */
export const TEST_BUCKETS = ["kyc-faces"];

export function singleTenantAccess(
  collectionId: string,
  buckets: readonly string[] = TEST_BUCKETS,
  defaultScopes: readonly Scope[] = [],
): AccessPolicy {
  return {
    tenantClaim: "tenant",
    defaultScopes,
    tenants: { kind: "single", tenant: singleTenant(collectionId, buckets) },
  };
}

/** TENANTS as an operator writes it, parsed as main.ts does. */
export function tenantsAccess(tenants: Record<string, unknown>, collectionId = "test-collection"): AccessPolicy {
  return {
    tenantClaim: "tenant",
    defaultScopes: [],
    tenants: { kind: "multi", byName: parseTenants(JSON.stringify(tenants), "TENANTS", collectionId) },
  };
}
