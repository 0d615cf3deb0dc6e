/** Messages between the pool (main thread) and an engine thread. */
import type { AnalysedImage, AnalyseOptions } from "../types.ts";
import type { NeuralAnalyserOptions } from "./neural-analyser.ts";

export type ThreadData = NeuralAnalyserOptions;

export interface AnalyseRequest {
  id: number;
  image: Uint8Array;
  options?: AnalyseOptions;
}

export type ThreadMessage =
  | { type: "ready" }
  | { type: "result"; id: number; result: AnalysedImage }
  | { type: "error"; id: number; name: string; message: string };
