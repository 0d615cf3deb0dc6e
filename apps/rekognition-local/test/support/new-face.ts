/** A face as the store takes it, for the store's tests: fresh ids, a fixed box, a given or random descriptor. */
import { randomUUID } from "node:crypto";
import type { NewFace } from "../../src/store/collection-store.ts";

export function newFace(imageKey: string, descriptor?: Float32Array): NewFace {
  return {
    face: {
      faceId: randomUUID(),
      imageId: randomUUID(),
      box: { left: 0.1, top: 0.1, width: 0.5, height: 0.5 },
      confidence: 99,
      imageKey,
    },
    descriptor: descriptor ?? new Float32Array(128).map(() => Math.random() - 0.5),
  };
}
