/** The image bytes the API parks in Redis for a job (see imageRedisKey in the contract). */
import type { Redis } from "ioredis";

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
