/**
 * This server for a test file: its own face engine, started in-process over @faceindex/testing's local S3
 * and temporary folder, with SDK clients pointed at both. Plus a raw AWS JSON 1.1 call for what the SDK
 * would not send.
 */
import { createFaceEngine, type FaceModel } from "@faceindex/face-engine";
import { startLocalAws, type LocalAws } from "@faceindex/testing";
import { startRekognitionServer } from "../src/server.ts";

export type TestStack = LocalAws;

/** "load-test" for the protocol (one fake face per image, from its bytes); "neural" for who matches whom. */
const ENGINES = {
  // 1 ms stands in for detection work without slowing the protocol tests.
  "load-test": { mode: "load-test", loadTestLatencyMs: 1, log: () => {} },
  // One thread: one copy of the models (~100 MB) on a shared 2-core machine.
  neural: { mode: "neural", threads: 1, log: () => {} },
} as const;

export async function startTestStack(options: {
  engine: keyof typeof ENGINES;
  tpsLimit?: number;
  /** The face model of collections created (default LATEST_FACE_MODEL). */
  faceModel?: FaceModel;
}): Promise<TestStack> {
  const engine = await createFaceEngine(ENGINES[options.engine]);
  let aws: LocalAws;
  try {
    aws = await startLocalAws({
      name: "rekognition-local",
      startRekognition: (server) =>
        startRekognitionServer({
          engine,
          ...server,
          ...(options.tpsLimit ? { tpsLimit: options.tpsLimit } : {}),
          ...(options.faceModel && { faceModel: options.faceModel }),
        }),
    });
  } catch (error) {
    await engine.close();
    throw error;
  }
  // Wrapped in place: restart() updates this same object's client and URL.
  const close = aws.close;
  aws.close = async () => {
    await close();
    await engine.close();
  };
  return aws;
}

/** A raw AWS JSON 1.1 call, for what the SDK would not send (malformed bodies, unknown targets). */
export async function rawCall(
  url: string,
  target: string,
  body: string,
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
    body,
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}
