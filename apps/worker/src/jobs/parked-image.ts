/**
 * What the jobs that read a parked image (index, search) do about it: the outcome when its bytes are gone,
 * and freeing them once the job's final outcome is stored (adapters/redis/parked-images.ts holds the bytes).
 */
import { failedOutcome } from "@faceindex/contracts";
import type { ParkedImages } from "../adapters/redis/parked-images.ts";

/** The outcome of a job whose parked bytes are gone (TTL passed before a worker took it): a new request is needed. */
export const IMAGE_EXPIRED = failedOutcome(
  "IMAGE_EXPIRED",
  "The uploaded image expired before a worker took the job; send the request again",
  false,
);

/**
 * Frees the bytes a job's raw data names (`imageKey`), if it names any: run once the outcome of every job
 * that parks one is stored.
 */
export async function removeParkedImageOf(parkedImages: Pick<ParkedImages, "remove">, data: unknown): Promise<void> {
  const imageKey = (data as { imageKey?: unknown } | undefined)?.imageKey;
  if (typeof imageKey === "string") await parkedImages.remove(imageKey);
}
