/** Messages between the pool (main thread) and an engine thread. */
import type { AnalysedImage, AnalyseOptions } from "../types.ts";
import type { NeuralAnalyserOptions } from "./neural-analyser.ts";

export type ThreadData = NeuralAnalyserOptions;

export interface AnalyseRequest {
  id: number;
  image: Uint8Array;
  options?: AnalyseOptions;
}

/**
 * Asks the thread to exit at the first moment no model is running. The pool never terminates a thread while it
 * may be inside an onnxruntime run: that aborts the whole process (SIGABRT from the native addon).
 */
export interface StopRequest {
  type: "stop";
}

export type PoolMessage = AnalyseRequest | StopRequest;

export type ThreadMessage =
  | { type: "ready" }
  | { type: "result"; id: number; result: AnalysedImage }
  | { type: "error"; id: number; name: string; message: string };
