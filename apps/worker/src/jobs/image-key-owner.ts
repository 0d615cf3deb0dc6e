/**
 * Whether an S3 key may take a person's image: no object of ANOTHER (tenant, external id) may be written
 * over (IMAGE_KEY_TAKEN), re-enrolling the same person on the same key may. Two checks, because each
 * misses something: the Redis claim (object-claims.ts) settles concurrent enrolments of different ids on
 * one key, which S3 alone cannot on servers without conditional writes (s3rver ignores If-None-Match on
 * PUT); the object's metadata (external-image-id, tenant) covers objects stored before claims existed or
 * after a claim lapsed.
 */
import { DEFAULT_TENANT } from "@faceindex/contracts";
import type { ObjectClaims, ObjectOwner } from "../adapters/redis/object-claims.ts";
import { EXTERNAL_ID_METADATA, TENANT_METADATA, type ImageStore } from "../adapters/s3/image-store.ts";

export interface ImageKeyDeps {
  claims: ObjectClaims;
  imageStore: Pick<ImageStore, "headImage">;
}

export interface ImageKeyTarget extends ObjectOwner {
  bucket: string;
  key: string;
}

/** "free": no object there yet (write it only if still absent); "mine": the person's own object; "taken": someone else's. */
export type KeyStatus = "free" | "mine" | "taken";

/** Claims the key for the person, or says who has it; a "taken" key is left exactly as it was. */
export async function claimImageKey(deps: ImageKeyDeps, target: ImageKeyTarget): Promise<KeyStatus> {
  const claim = await deps.claims.claim(target.bucket, target.key, target);
  if (claim === "taken") return "taken";
  const head = await deps.imageStore.headImage(target.bucket, target.key);
  if (!head) return "free";
  if (isOwner(head.metadata, target)) return "mine";
  // An object stored without a claim (before claims existed, or by something else): not ours to take.
  if (claim === "claimed") await deps.claims.release(target.bucket, target.key, target);
  return "taken";
}

/** Whether an erasure of the person may delete the key: nobody else claims it and no one else's object is there. */
export async function ownsImageKey(deps: ImageKeyDeps, target: ImageKeyTarget): Promise<boolean> {
  const holder = await deps.claims.ownerOf(target.bucket, target.key);
  if (holder && (holder.tenant !== target.tenant || holder.externalImageId !== target.externalImageId)) return false;
  const head = await deps.imageStore.headImage(target.bucket, target.key);
  return !head || isOwner(head.metadata, target);
}

/** The metadata every PUT writes: who the object belongs to (no tenant for the default one, as before tenants). */
export function ownerMetadata(owner: ObjectOwner): Record<string, string> {
  const metadata: Record<string, string> = { [EXTERNAL_ID_METADATA]: owner.externalImageId };
  if (owner.tenant !== DEFAULT_TENANT) metadata[TENANT_METADATA] = owner.tenant;
  return metadata;
}

function isOwner(metadata: Record<string, string>, owner: ObjectOwner): boolean {
  // Objects stored before tenants existed carry no tenant: they are the single-tenant deployment's.
  return (
    metadata[EXTERNAL_ID_METADATA] === owner.externalImageId &&
    (metadata[TENANT_METADATA] ?? DEFAULT_TENANT) === owner.tenant
  );
}
