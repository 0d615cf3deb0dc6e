/**
 * The record of every S3 object the worker stored (or was about to store) for a person: a Redis set per
 * (tenant, bucket, external id), under the queue prefix. A key goes in BEFORE its upload, whatever the
 * enrolment's outcome (indexed, no face, refused duplicate), so a crash between the two can only leave a
 * recorded key with no object (deleting it is harmless), never an object nobody can find to erase. The
 * gallery mapping is per face and keeps one key per face; this is per person and keeps every key ever used.
 */
import type { Redis } from "ioredis";

export interface StoredObjects {
  remember(tenant: string, bucket: string, externalImageId: string, objectKey: string): Promise<void>;
  /** Every recorded key, sorted (a stable answer); empty when none. */
  keysOf(tenant: string, bucket: string, externalImageId: string): Promise<string[]>;
  /** Drops keys from the record (the set disappears with its last member). */
  forget(tenant: string, bucket: string, externalImageId: string, objectKeys: string[]): Promise<void>;
}

/** The tenant is URI-encoded so a ":" in it cannot make two tenants' keys meet; bucket names have no ":". */
export function storedObjectsKey(prefix: string, tenant: string, bucket: string, externalImageId: string): string {
  return `${prefix}:objects:${encodeURIComponent(tenant)}:${bucket}:${externalImageId}`;
}

export function createStoredObjects(redis: Pick<Redis, "sadd" | "smembers" | "srem">, prefix: string): StoredObjects {
  const key = (tenant: string, bucket: string, id: string) => storedObjectsKey(prefix, tenant, bucket, id);
  return {
    async remember(tenant, bucket, externalImageId, objectKey) {
      await redis.sadd(key(tenant, bucket, externalImageId), objectKey);
    },
    async keysOf(tenant, bucket, externalImageId) {
      return (await redis.smembers(key(tenant, bucket, externalImageId))).sort();
    },
    async forget(tenant, bucket, externalImageId, objectKeys) {
      if (objectKeys.length === 0) return;
      await redis.srem(key(tenant, bucket, externalImageId), ...objectKeys);
    },
  };
}
