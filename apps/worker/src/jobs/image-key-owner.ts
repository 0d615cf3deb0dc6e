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
  imageStore: Pick<ImageStore, "headImage" | "conditionalWrites">;
}

export interface ImageKeyTarget extends ObjectOwner {
  bucket: string;
  key: string;
}

/** "free": no object there yet as far as we know (write it only if still absent); "mine": the person's own key; "taken": someone else's. */
export type KeyStatus = "free" | "mine" | "taken";

/** Claims the key for the person, or says who has it; a "taken" key is left exactly as it was. */
export async function claimImageKey(deps: ImageKeyDeps, target: ImageKeyTarget): Promise<KeyStatus> {
  const claim = await deps.claims.claim(target.bucket, target.key, target);
  if (claim === "taken") return "taken";
  // Our claim stood already: the object at the key, if any, is the person's own.
  if (claim === "mine") return "mine";
  // A fresh claim: an object can be there only if it was stored without one (before claims existed, or a
  // claim lapsed). A conditional write finds that out in the PUT itself (writeOwnedImage), saving a HEAD
  // per enrolment; a server that ignores If-None-Match needs the look first.
  if (deps.imageStore.conditionalWrites) return "free";
  const status = await statusOfExisting(deps, target);
  if (status === "taken") await deps.claims.release(target.bucket, target.key, target);
  return status;
}

export interface OwnedImage {
  bytes: Buffer;
  contentType: string;
  /** The API's sha256 of the bytes (hex), when the job carries it. */
  sha256?: string;
}

/**
 * Writes the person's image at a claimed key (claimImageKey said "free" or "mine") and settles the claim:
 * confirmed once stored, released when another person's object turned out to be there (null: refuse
 * IMAGE_KEY_TAKEN, the object left as it was).
 */
export async function writeOwnedImage(
  deps: ImageKeyDeps & { imageStore: Pick<ImageStore, "putImage"> },
  target: ImageKeyTarget,
  status: Exclude<KeyStatus, "taken">,
  image: OwnedImage,
): Promise<{ etag: string } | null> {
  const put = (onlyIfAbsent: boolean) =>
    deps.imageStore.putImage(target.bucket, target.key, image.bytes, image.contentType, ownerMetadata(target), {
      onlyIfAbsent,
      ...(image.sha256 === undefined ? {} : { sha256: image.sha256 }),
    });
  let stored = await put(status === "free");
  // Refused: an object is at the key (or the server could not check). The person's own may be replaced.
  if (!stored && (await statusOfExisting(deps, target)) !== "taken") stored = await put(false);
  if (!stored) {
    await deps.claims.release(target.bucket, target.key, target);
    return null;
  }
  await deps.claims.confirm(target.bucket, target.key, target);
  return stored;
}

/** What the object at the key says: none ("free"), the person's ("mine"), or someone else's ("taken"). */
async function statusOfExisting(deps: Pick<ImageKeyDeps, "imageStore">, target: ImageKeyTarget): Promise<KeyStatus> {
  const head = await deps.imageStore.headImage(target.bucket, target.key);
  if (!head) return "free";
  return isOwner(head.metadata, target) ? "mine" : "taken";
}

/** Whether an erasure of the person may delete the key: nobody else claims it and no one else's object is there. */
export async function ownsImageKey(
  deps: Pick<ImageKeyDeps, "claims"> & { imageStore: Pick<ImageStore, "headImage"> },
  target: ImageKeyTarget,
): Promise<boolean> {
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
