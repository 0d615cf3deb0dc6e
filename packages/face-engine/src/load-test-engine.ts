/**
 * "load-test" mode: no networks, a fixed delay and one fake face whose descriptor is derived from the
 * image bytes (same bytes -> same face). It still rejects bytes that are not a JPEG or PNG header, so
 * error paths behave as in production. Results are FAKE: never use it to index real people.
 */
import { createHash } from "node:crypto";
import { readImageHeader } from "./decode-image.ts";
import { LATEST_FACE_MODEL, requireFaceModel } from "./face-models.ts";
import type { AnalysedImage, AnalyseOptions, DetectedFace, FaceEngine } from "./types.ts";
import { unitVector } from "./vector-index.ts";

/** Roughly what one neural analysis of a phone photo costs per thread, so queues behave realistically. */
export const DEFAULT_LOAD_TEST_LATENCY_MS = 50;

export interface LoadTestEngineOptions {
  latencyMs?: number;
  log?: (msg: string) => void;
}

export function createLoadTestEngine(options: LoadTestEngineOptions = {}): FaceEngine {
  const latencyMs = options.latencyMs ?? DEFAULT_LOAD_TEST_LATENCY_MS;
  const log = options.log ?? ((msg: string) => console.warn(msg));
  log(
    "WARNING: face engine in LOAD-TEST mode: no face detection runs; every image gets one FAKE face " +
      "derived from its bytes. Never use this mode for real identities.",
  );
  return {
    mode: "load-test",
    async analyse(image: Uint8Array, options: AnalyseOptions = {}): Promise<AnalysedImage> {
      const model = requireFaceModel(options.faceModel ?? LATEST_FACE_MODEL.version);
      const header = await readImageHeader(image);
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
      return { ...header, faces: [fakeFace(image, model.descriptorLength)] };
    },
    async close() {},
  };
}

/** A plausible centred face whose descriptor (`length` values) is a unit vector seeded by sha256 of the bytes. */
export function fakeFace(image: Uint8Array, length: number = LATEST_FACE_MODEL.descriptorLength): DetectedFace {
  const seed = createHash("sha256").update(image).digest();
  const raw = new Float32Array(length);
  // Chained sha256 blocks give the bytes (4 for 128 values); each byte becomes one component in -1..1.
  for (let block = 0; block * 32 < length; block++) {
    const bytes = createHash("sha256").update(seed).update(String(block)).digest();
    for (let i = 0; i < 32 && block * 32 + i < length; i++) raw[block * 32 + i] = (bytes[i]! - 127.5) / 127.5;
  }
  return {
    box: { left: 0.3, top: 0.2, width: 0.4, height: 0.5 },
    confidence: 99.9,
    landmarks: [
      { type: "eyeLeft", x: 0.42, y: 0.38 },
      { type: "eyeRight", x: 0.58, y: 0.38 },
      { type: "nose", x: 0.5, y: 0.48 },
      { type: "mouthLeft", x: 0.44, y: 0.58 },
      { type: "mouthRight", x: 0.56, y: 0.58 },
    ],
    pose: { roll: 0, yaw: 0, pitch: 0 },
    quality: { brightness: 70, sharpness: 80 },
    descriptor: unitVector(raw),
  };
}
