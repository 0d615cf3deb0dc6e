/** Starts a local S3 and this server over a temporary data dir, with SDK clients pointed at them. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RekognitionClient } from "@aws-sdk/client-rekognition";
import { S3Client } from "@aws-sdk/client-s3";
import type { FaceEngine } from "@faceindex/face-engine";
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from "@faceindex/local-s3";
import { uniqueName } from "@faceindex/testing";
import { startRekognitionServer, type RekognitionServer } from "../src/server.ts";

export interface TestStack {
  url: string;
  rekognition: RekognitionClient;
  s3: S3Client;
  bucket: string;
  dataDir: string;
  /** Stops the server only (the data dir stays) and starts a new one on the same data. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestStack(options: { engine: FaceEngine; tpsLimit?: number }): Promise<TestStack> {
  const root = mkdtempSync(join(tmpdir(), "rekognition-local-test-"));
  const bucket = uniqueName("images");
  const localS3: LocalS3 = await startLocalS3({ directory: join(root, "s3"), buckets: [bucket] });
  const s3 = new S3Client({
    endpoint: localS3.endpoint,
    region: "us-east-1",
    credentials: LOCAL_S3_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
  });
  const dataDir = join(root, "rekognition");
  const start = () =>
    startRekognitionServer({
      engine: options.engine,
      dataDir,
      s3,
      ...(options.tpsLimit ? { tpsLimit: options.tpsLimit } : {}),
    });
  let server: RekognitionServer = await start();
  const stack: TestStack = {
    url: server.url,
    rekognition: rekognitionClient(server.url),
    s3,
    bucket,
    dataDir,
    async restart() {
      stack.rekognition.destroy();
      await server.close();
      server = await start();
      stack.url = server.url;
      stack.rekognition = rekognitionClient(server.url);
    },
    async close() {
      stack.rekognition.destroy();
      await server.close();
      s3.destroy();
      await localS3.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return stack;
}

/** No SDK retries: the tests look at each answer, including injected faults and throttling. */
export const rekognitionClient = (endpoint: string): RekognitionClient =>
  new RekognitionClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });

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
