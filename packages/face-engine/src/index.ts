export * from "./types.ts";
export * from "./create-face-engine.ts";
export * from "./similarity.ts";
export * from "./face-models.ts";
export * from "./vector-index.ts";
export * from "./quality-thresholds.ts";
export * from "./unindexed-reasons.ts";
export { sniffImageFormat, readImageHeader, type ImageFormat, type ImageHeader } from "./decode-image.ts";
export { DEFAULT_LOAD_TEST_LATENCY_MS } from "./load-test-engine.ts";
