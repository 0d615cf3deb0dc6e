/**
 * Who an S3 key belongs to: a Redis claim per (bucket, key) naming its (tenant, external id). It closes the
 * race the per-person lock cannot: two enrolments of DIFFERENT external ids on one key hold different locks,
 * and both would find the key free in S3 and both write. The claim is taken atomically (a script) before
 * the upload, so exactly one of them wins; the other is refused IMAGE_KEY_TAKEN.
 *
 * A fresh claim is pending (it expires after PENDING_CLAIM_MS) until its upload succeeded, then kept for
 * as long as the object exists; an erasure releases it after deleting the object. So a worker that dies
 * between claim and upload blocks the key for a minute, not for ever, and the object's own metadata
 * (external-image-id) still guards it if one dies between upload and confirm.
 */
import type { Redis } from "ioredis";
import { deleteIfValue, luaScript, type ScriptRedis } from "@faceindex/redis-connection";

export type ClaimResult = "claimed" | "mine" | "taken";

export interface ObjectOwner {
  tenant: string;
  externalImageId: string;
}

export interface ObjectClaims {
  /** Claims the key for `owner` unless someone else holds it. */
  claim(bucket: string, key: string, owner: ObjectOwner): Promise<ClaimResult>;
  /** After a successful upload: the claim lasts as long as the object. */
  confirm(bucket: string, key: string, owner: ObjectOwner): Promise<void>;
  /** After the object is deleted (or was never written): frees the key, if `owner` holds it. */
  release(bucket: string, key: string, owner: ObjectOwner): Promise<void>;
  /** The holder, or null when nobody claims the key. */
  ownerOf(bucket: string, key: string): Promise<ObjectOwner | null>;
}

// From claim to confirm: the S3 PUT (20 s request timeout, 2 SDK attempts) fits well inside; a crashed
// claimant's key is free again after it.
export const PENDING_CLAIM_MS = 60_000;

// A pending claim (with a TTL) of the same owner is renewed, so a retried job keeps it pending, not lost.
const CLAIM = luaScript(`local v = redis.call("get", KEYS[1])
if not v then redis.call("set", KEYS[1], ARGV[1], "PX", ARGV[2]) return "claimed" end
if v ~= ARGV[1] then return "taken" end
if redis.call("pttl", KEYS[1]) > 0 then redis.call("pexpire", KEYS[1], ARGV[2]) end
return "mine"`);
const CONFIRM = luaScript(
  `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("persist", KEYS[1]) else return 0 end`,
);

/** Per bucket and key, not per tenant: two tenants sharing a bucket share its keys. */
export function objectClaimKey(prefix: string, bucket: string, key: string): string {
  return `${prefix}:object-claim:${bucket}:${key}`;
}

export function createObjectClaims(redis: ScriptRedis & Pick<Redis, "get">, prefix: string): ObjectClaims {
  const owner = (who: ObjectOwner) => JSON.stringify([who.tenant, who.externalImageId]);
  return {
    async claim(bucket, key, who) {
      return (await CLAIM(redis, [objectClaimKey(prefix, bucket, key)], [owner(who), PENDING_CLAIM_MS])) as ClaimResult;
    },
    async confirm(bucket, key, who) {
      await CONFIRM(redis, [objectClaimKey(prefix, bucket, key)], [owner(who)]);
    },
    async release(bucket, key, who) {
      await deleteIfValue(redis, [objectClaimKey(prefix, bucket, key)], [owner(who)]);
    },
    async ownerOf(bucket, key) {
      const value = await redis.get(objectClaimKey(prefix, bucket, key));
      if (value === null) return null;
      const [tenant, externalImageId] = JSON.parse(value) as [string, string];
      return { tenant, externalImageId };
    },
  };
}
