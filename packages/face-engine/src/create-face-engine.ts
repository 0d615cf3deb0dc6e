/** The one way to get a FaceEngine: the neural pool, or the load-test stand-in when asked for by name. */
import { availableParallelism } from "node:os";
import { createLoadTestEngine } from "./load-test-engine.ts";
import { createNeuralPool } from "./neural/neural-pool.ts";
import type { EngineMode, FaceEngine } from "./types.ts";

export interface FaceEngineOptions {
  mode: EngineMode;
  /** Worker threads for "neural" (default: one per core). Each holds its own models (~100 MB). */
  threads?: number;
  /** Delay per image in "load-test" mode. */
  loadTestLatencyMs?: number;
  log?: (msg: string) => void;
}

export async function createFaceEngine(options: FaceEngineOptions): Promise<FaceEngine> {
  const log = options.log ?? ((msg: string) => console.warn(msg));
  switch (options.mode) {
    case "load-test":
      return createLoadTestEngine({ latencyMs: options.loadTestLatencyMs, log });
    case "neural":
      return createNeuralPool({ threads: options.threads ?? availableParallelism(), log });
    default:
      throw new Error(`unknown face engine mode ${JSON.stringify(options.mode)}: use "neural" or "load-test"`);
  }
}
