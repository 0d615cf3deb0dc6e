/**
 * Loads @vladmandic/face-api on the TensorFlow.js WASM backend with its models read from disk
 * (SSD-MobileNetV1 and Tiny Face Detector, 68-point landmarks, 128-d recognition). Nothing is downloaded: the
 * .wasm files come from the installed @tensorflow/tfjs-backend-wasm and the weights from face-api's
 * own model/ folder. Call once per thread: tfjs state is per thread.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
// The node-wasm bundle: the package root would load @tensorflow/tfjs-node, whose install downloads binaries.
import * as faceapiModule from "@vladmandic/face-api/dist/face-api.node-wasm.js";

export type FaceApi = typeof faceapiModule;

/** The parts of the tfjs runtime bundled in face-api that its type declarations leave out. */
interface TfRuntime {
  setWasmPaths(prefix: string, usePlatformFetch?: boolean): void;
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  env(): { set(flag: string, value: unknown): void };
}

export async function loadFaceApi(): Promise<FaceApi> {
  // A CommonJS bundle seen through ESM: the namespace may hold it under `default`.
  const faceapi = ((faceapiModule as unknown as { default?: FaceApi }).default ?? faceapiModule) as FaceApi;
  const tf = faceapi.tf as unknown as TfRuntime;
  const require = createRequire(import.meta.url);
  // Resolve through face-api itself so tfjs and its wasm backend are the copies face-api uses.
  const faceApiDir = dirname(require.resolve("@vladmandic/face-api/package.json"));
  const wasmEntry = createRequire(join(faceApiDir, "package.json")).resolve("@tensorflow/tfjs-backend-wasm");
  tf.setWasmPaths(dirname(wasmEntry) + "/");
  // Parallelism comes from the pool (one engine per worker thread); wasm threads would only compete for the same cores.
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  await tf.setBackend("wasm");
  await tf.ready();
  if (tf.getBackend() !== "wasm") throw new Error(`tfjs backend is ${tf.getBackend()}, expected wasm`);
  const modelDir = join(faceApiDir, "model");
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
  await faceapi.nets.tinyFaceDetector.loadFromDisk(modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
  // Small (~0.5 MB each): loaded always so that attributes never wait for a model.
  await faceapi.nets.ageGenderNet.loadFromDisk(modelDir);
  await faceapi.nets.faceExpressionNet.loadFromDisk(modelDir);
  return faceapi;
}
