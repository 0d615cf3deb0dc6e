/**
 * Creates the face collection at start, waiting for Rekognition to answer: the local server may still
 * be loading its face models when the worker starts next to it.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { classifyError } from "../../runtime/classify-error.ts";
import type { FaceIndex } from "./face-index.ts";

// Total time to keep trying; the local server loads its models in well under 2 minutes.
const TIMEOUT_MS = 120_000;
// First wait between tries, doubled each time up to MAX_DELAY_MS.
const FIRST_DELAY_MS = 500;
// Cap on one wait, so a server that comes up is noticed within seconds.
const MAX_DELAY_MS = 5_000;

export async function ensureCollection(
  faceIndex: Pick<FaceIndex, "ensureCollection">,
  collectionId: string,
  logger: Pick<Logger, "info" | "warn">,
): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (let delay = FIRST_DELAY_MS, attempt = 1; ; delay = Math.min(delay * 2, MAX_DELAY_MS), attempt++) {
    try {
      const created = await faceIndex.ensureCollection(collectionId);
      logger.info({ collectionId, created }, created ? "collection created" : "collection exists");
      return;
    } catch (error) {
      const classified = classifyError(error);
      // Permanent errors (bad credentials, invalid id) will not fix themselves: fail the start at once.
      if (classified.kind === "permanent" || Date.now() + delay > deadline) {
        throw new Error(`Could not ensure collection ${collectionId}: ${classified.code}: ${classified.message}`, {
          cause: error,
        });
      }
      logger.warn(
        { collectionId, attempt, code: classified.code, retryInMs: delay },
        "Rekognition not ready, retrying",
      );
      await sleep(delay);
    }
  }
}
