/**
 * Tenancy, as both sides of the queue see it. The API resolves the caller's tenant (from a token claim)
 * and the tenant's Rekognition collection (from the server's TENANTS configuration), and writes both into
 * every job payload; the worker never takes a tenant or a collection from anywhere else, so one tenant's
 * job can only ever touch that tenant's collection, gallery mapping and audit trail.
 */
import { z } from "zod";

/** The tenant of a single-tenant deployment (no TENANTS configured), and of jobs queued by an older API. */
export const DEFAULT_TENANT = "default";

/**
 * Tenant names: short, and safe inside collection ids (`[a-zA-Z0-9_.-]`) and Redis keys (no ":", no
 * braces, so they cannot break out of a key's segment or its `{hash tag}`).
 */
export const TENANT_NAME = /^[a-zA-Z0-9_.-]{1,64}$/;

/** Optional payload fields of every job kind (index, search, delete). */
export const tenancyFields = {
  /** The caller's tenant; defaulted so jobs queued by an API without tenants still parse. */
  tenant: z.string().regex(TENANT_NAME).default(DEFAULT_TENANT),
  /** The tenant's Rekognition collection; absent in jobs of an older API: the worker then uses its COLLECTION_ID. */
  collectionId: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{1,255}$/)
    .optional(),
};

/**
 * The collection of a tenant: the one configured for it, else `${COLLECTION_ID}-${tenant}`; the default
 * tenant of a single-tenant deployment keeps COLLECTION_ID itself (no change for existing deployments).
 */
export function tenantCollectionId(baseCollectionId: string, tenant: string, configured?: string): string {
  if (configured !== undefined) return configured;
  return tenant === DEFAULT_TENANT ? baseCollectionId : `${baseCollectionId}-${tenant}`;
}

/** The failed outcome's code when an image key already holds another external id's object (answered 409). */
export const IMAGE_KEY_TAKEN = "IMAGE_KEY_TAKEN";
