/**
 * The access policy from the parsed configuration: TENANTS (or the file TENANTS_FILE names) validated at
 * start, so a typo stops the API with a clear error instead of refusing every caller later.
 */
import type { Config } from "../config.ts";
import type { AccessPolicy } from "./access-policy.ts";
import { parseTenants, singleTenant } from "./tenants.ts";

type AccessSettings = Pick<
  Config,
  "COLLECTION_ID" | "JWT_TENANT_CLAIM" | "JWT_DEFAULT_SCOPES" | "TENANTS" | "TENANTS_FILE" | "ALLOWED_BUCKETS"
>;

export function accessPolicyFrom(config: AccessSettings, readFile: (path: string) => string): AccessPolicy {
  const base = { tenantClaim: config.JWT_TENANT_CLAIM, defaultScopes: config.JWT_DEFAULT_SCOPES };
  const text = config.TENANTS ?? (config.TENANTS_FILE === undefined ? undefined : readTenantsFile(config, readFile));
  if (text === undefined) {
    return { ...base, tenants: { kind: "single", tenant: singleTenant(config.COLLECTION_ID, config.ALLOWED_BUCKETS) } };
  }
  const source = config.TENANTS === undefined ? `TENANTS_FILE (${config.TENANTS_FILE})` : "TENANTS";
  return { ...base, tenants: { kind: "multi", byName: parseTenants(text, source, config.COLLECTION_ID) } };
}

function readTenantsFile(config: AccessSettings, readFile: (path: string) => string): string {
  const path = config.TENANTS_FILE as string;
  try {
    return readFile(path);
  } catch (error) {
    throw new Error(`TENANTS_FILE ${path} cannot be read: ${(error as Error).message}`);
  }
}
