/**
 * A local S3 (with a bucket of its own) and a local Rekognition server over a temporary folder, for one test
 * file, with SDK clients pointed at them. The server is started by the caller's `startRekognition` (a package
 * never imports an app: the test passes rekognition-local's startRekognitionServer with its face engine).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RekognitionClient } from "@aws-sdk/client-rekognition";
import type { S3Client } from "@aws-sdk/client-s3";
import { startLocalS3 } from "@faceindex/local-s3";
import { localRekognitionClient, localS3Client } from "./aws-clients.ts";
import { uniqueName } from "./unique-name.ts";

/**
 * Starts a Rekognition server on `dataDir`, reading S3Object images through `s3`; `faults: true` asks for
 * fault injection (POST /_local/faults), which the server keeps shut unless asked: pass it on.
 */
export type StartRekognition = (options: { dataDir: string; s3: S3Client; faults: true }) => Promise<{
  url: string;
  close(): Promise<void>;
}>;

export interface LocalAws {
  /** A bucket of the local S3 made for this test file. */
  bucket: string;
  s3: S3Client;
  s3Endpoint: string;
  /** A client of the current server (a new one after restart()). */
  rekognition: RekognitionClient;
  /** The current server's URL, for fault injection and raw calls. */
  rekognitionUrl: string;
  /** The server's data folder: collections survive restart(). */
  rekognitionDataDir: string;
  /** Stops the Rekognition server only and starts a new one on the same data. */
  restart(): Promise<void>;
  /** Stops both servers and removes the temporary folder. */
  close(): Promise<void>;
}

export async function startLocalAws(options: { name: string; startRekognition: StartRekognition }): Promise<LocalAws> {
  const root = mkdtempSync(join(tmpdir(), `${options.name}-test-`));
  const bucket = uniqueName(options.name);
  const localS3 = await startLocalS3({ directory: join(root, "s3"), buckets: [bucket] });
  const s3 = localS3Client(localS3.endpoint);
  const rekognitionDataDir = join(root, "rekognition");
  // Tests inject faults (rekognition-faults.ts): the door is opened for every test server.
  const start = () => options.startRekognition({ dataDir: rekognitionDataDir, s3, faults: true });
  let server = await start();
  const aws: LocalAws = {
    bucket,
    s3,
    s3Endpoint: localS3.endpoint,
    rekognition: localRekognitionClient(server.url),
    rekognitionUrl: server.url,
    rekognitionDataDir,
    async restart() {
      aws.rekognition.destroy();
      await server.close();
      server = await start();
      aws.rekognitionUrl = server.url;
      aws.rekognition = localRekognitionClient(server.url);
    },
    async close() {
      aws.rekognition.destroy();
      await server.close();
      s3.destroy();
      await localS3.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return aws;
}
