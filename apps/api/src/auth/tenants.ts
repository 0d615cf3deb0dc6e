/**
 * The server's tenants: TENANTS (JSON) or TENANTS_FILE, e.g. `{"acme":{"buckets":["acme-kyc"]}}`, each with the
 * S3 buckets its callers may write to and, optionally, its own Rekognition collection (else
 * `${COLLECTION_ID}-${tenant}`). Without tenants the service is single-tenant: DEFAULT_TENANT, COLLECTION_ID
 * and ALLOWED_BUCKETS.
 */
import { z } from "zod";
import { DEFAULT_TENANT, TENANT_NAME, tenantCollectionId } from "@faceindex/contracts";

/** What a request may touch once its tenant is known. */
export interface Tenant {
  name: string;
  collectionId: string;
  buckets: ReadonlySet<string>;
}

// S3's bucket naming rules in short: 3-63 lowercase letters, digits, dots and hyphens.
const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name");

const tenantsSchema = z.record(
  z.string().regex(TENANT_NAME, "tenant names are 1-64 of a-z A-Z 0-9 _ . -"),
  z
    .object({
      buckets: z.array(bucketName).min(1, "needs at least one bucket"),
      collection_id: z
        .string()
        .regex(/^[a-zA-Z0-9_.-]{1,255}$/, "must be a Rekognition collection id")
        .optional(),
    })
    .strict(),
);

/** Parses TENANTS' text (from the variable or the file named `source`), or throws an error naming each problem. */
export function parseTenants(text: string, source: string, baseCollectionId: string): Map<string, Tenant> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${source} is not valid JSON`);
  }
  const parsed = tenantsSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new Error(`${source} is invalid: ${problems.join("; ")}`);
  }
  const entries = Object.entries(parsed.data);
  if (entries.length === 0) throw new Error(`${source} lists no tenant; unset it for a single-tenant service`);
  const tenants = new Map<string, Tenant>();
  const owners = new Map<string, string>();
  const bucketOwners = new Map<string, string>();
  for (const [name, entry] of entries) {
    // A shared bucket would let one tenant's upload land on (or read as) another's object under the same key.
    for (const bucket of entry.buckets) {
      const other = bucketOwners.get(bucket);
      if (other !== undefined && other !== name) {
        throw new Error(`${source} is invalid: ${other} and ${name} share bucket ${bucket}`);
      }
      bucketOwners.set(bucket, name);
    }
    const collectionId = tenantCollectionId(baseCollectionId, name, entry.collection_id);
    // Two tenants sharing a collection would share a gallery: search, dedupe and delete would cross.
    const owner = owners.get(collectionId);
    if (owner !== undefined)
      throw new Error(`${source} is invalid: ${owner} and ${name} share collection ${collectionId}`);
    owners.set(collectionId, name);
    tenants.set(name, { name, collectionId, buckets: new Set(entry.buckets) });
  }
  return tenants;
}

/** The single tenant of a service without TENANTS. */
export function singleTenant(baseCollectionId: string, allowedBuckets: readonly string[]): Tenant {
  return { name: DEFAULT_TENANT, collectionId: baseCollectionId, buckets: new Set(allowedBuckets) };
}
