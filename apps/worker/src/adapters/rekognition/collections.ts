/**
 * The collections jobs run in: a job names its tenant's collection (jobs queued by an older API name none:
 * the worker's COLLECTION_ID then). Each is created on first use, once per process: concurrent first uses
 * share one CreateCollection, and a failed one is forgotten so the next job tries again.
 */
import type { FaceIndex } from "./face-index.ts";

export interface Collections {
  /** The job's collection id (or the fallback), once it exists. */
  ready(collectionId: string | undefined): Promise<string>;
}

export function createCollections(faceIndex: Pick<FaceIndex, "ensureCollection">, fallbackId: string): Collections {
  const ensured = new Map<string, Promise<unknown>>();
  return {
    async ready(requested) {
      const id = requested ?? fallbackId;
      let pending = ensured.get(id);
      if (!pending) {
        pending = faceIndex.ensureCollection(id);
        ensured.set(id, pending);
        // Forget a failure (the job that saw it throws and is retried); a success stays cached.
        void pending.catch(() => ensured.delete(id));
      }
      await pending;
      return id;
    },
  };
}
