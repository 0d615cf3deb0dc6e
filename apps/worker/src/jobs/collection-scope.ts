/**
 * What a job works in, chosen from its payload: its tenant's collection (created on first use), that
 * collection's gallery mapping and per-person lock. Every read, write and lock of one job stays inside
 * one collection, so searches, dedupe and the 409's duplicate list never cross tenants.
 */
import type { Redis } from "ioredis";
import { createExternalIdLock, type ExternalIdLock } from "../adapters/redis/external-id-lock.ts";
import { createGalleryMap, type GalleryMap } from "../adapters/redis/gallery-map.ts";
import type { Collections } from "../adapters/rekognition/collections.ts";

export interface CollectionScope {
  collectionId: string;
  gallery: GalleryMap;
  lock: ExternalIdLock;
}

/** The scope of a job's collection id (undefined: a job queued before tenants, the worker's COLLECTION_ID). */
export type ScopeFor = (collectionId: string | undefined) => Promise<CollectionScope>;

export interface ScopeOptions {
  /** What the gallery map and the lock use (a single Redis or a Cluster). */
  redis: Pick<Redis, "multi" | "hgetall" | "hmget" | "set" | "eval" | "evalsha">;
  prefix: string;
  collections: Collections;
  /** The per-person lock's TTL (the job lock's duration: a killed worker's lock lapses no later than its job's). */
  lockTtlMs: number;
}

export function createScopeFor({ redis, prefix, collections, lockTtlMs }: ScopeOptions): ScopeFor {
  // One map and one lock object per collection: both are stateless views over Redis keys.
  const scopes = new Map<string, CollectionScope>();
  return async (requested) => {
    const collectionId = await collections.ready(requested);
    let scope = scopes.get(collectionId);
    if (!scope) {
      scope = {
        collectionId,
        gallery: createGalleryMap(redis, prefix, collectionId),
        lock: createExternalIdLock({ redis, prefix, collectionId, ttlMs: lockTtlMs }),
      };
      scopes.set(collectionId, scope);
    }
    return scope;
  };
}
