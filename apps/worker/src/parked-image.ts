/** The image bytes the API parks in Redis for a job (see imageRedisKey in the contract). */
import type { Redis } from "ioredis";

/** The outcome of a job whose parked bytes are gone (TTL passed before a worker took it): a new request is needed. */
export const IMAGE_EXPIRED = {
  status: "failed",
  code: "IMAGE_EXPIRED",
  retryable: false,
  message: "The uploaded image expired before a worker took the job; send the request again",
} as const;

export interface ParkedImages {
  /** The bytes, or null when the key expired or never existed. */
  read(key: string): Promise<Buffer | null>;
  /** Frees the bytes once the job has ended for good. */
  remove(key: string): Promise<void>;
}

export function createParkedImages(redis: Pick<Redis, "getBuffer" | "del">): ParkedImages {
  return {
    read: (key) => redis.getBuffer(key),
    async remove(key) {
      await redis.del(key);
    },
  };
}

/** Frees the bytes a job's raw data names (`imageKey`), if it names any: run once the outcome of every job that parks one is stored. */
export async function removeParkedImageOf(parkedImages: Pick<ParkedImages, "remove">, data: unknown): Promise<void> {
  const imageKey = (data as { imageKey?: unknown } | undefined)?.imageKey;
  if (typeof imageKey === "string") await parkedImages.remove(imageKey);
}
