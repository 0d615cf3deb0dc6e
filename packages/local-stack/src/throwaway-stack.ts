/**
 * A local stack for one test file or one measurement script: its own temporary data directory, free ports,
 * JWT secret and token, bucket, collection and queue prefix, so several can share one Redis without meeting.
 * stop() stops the processes and removes everything it created.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { signDevToken } from "@faceindex/dev-token";
import { freePort, uniqueName } from "@faceindex/testing";
import { startLocalStack, type LocalStack, type LocalStackOptions } from "./local-stack.ts";

export interface ThrowawayStackOptions {
  /** Names the temp directory, bucket, collection and queue prefix, e.g. "e2e". */
  name: string;
  faceEngine: LocalStackOptions["faceEngine"];
  /** A shared Redis (its keys under this stack's prefix are deleted at stop); unset = a private redis-server. */
  redisUrl?: string;
  workers?: number;
  extraEnv?: NodeJS.ProcessEnv;
  stdio?: LocalStackOptions["stdio"];
  /** Restart children that die, as pnpm start does (off by default: most tests kill children on purpose). */
  supervise?: boolean;
  redisMaxmemory?: string;
  /** Metrics listeners on free ports, for the API and each worker (off by default). */
  metrics?: boolean;
}

export interface ThrowawayStack extends LocalStack {
  /** A valid dev token for subject `${name}-user`. */
  token: string;
  jwtSecret: string;
  bucket: string;
  collectionId: string;
  queuePrefix: string;
  dataDir: string;
  /** The API's GET /metrics, with `metrics: true`. */
  apiMetricsUrl?: string;
}

export async function startThrowawayStack(options: ThrowawayStackOptions): Promise<ThrowawayStack> {
  const dataDir = mkdtempSync(join(tmpdir(), `faceindex-${options.name}-`));
  const jwtSecret = randomBytes(32).toString("base64url");
  const bucket = uniqueName(options.name);
  const collectionId = uniqueName(`${options.name}-collection`);
  const queuePrefix = `{${uniqueName(options.name)}}`;
  const apiMetricsPort = options.metrics ? await freePort() : 0;
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      dataDir,
      redisUrl: options.redisUrl,
      redisPort: await freePort(),
      apiPort: await freePort(),
      s3Port: await freePort(),
      rekognitionPort: await freePort(),
      jwtSecret,
      buckets: [bucket],
      collectionId,
      workers: options.workers ?? 1,
      faceEngine: options.faceEngine,
      supervise: options.supervise ?? false,
      ...(options.redisMaxmemory ? { redisMaxmemory: options.redisMaxmemory } : {}),
      ...(options.metrics ? { workerMetricsPort: () => freePort() } : {}),
      // Metrics on free ports only when asked: a fixed port would be raced for by stacks running at once.
      extraEnv: {
        LOG_LEVEL: "warn",
        FACE_ENGINE_THREADS: "1",
        QUEUE_PREFIX: queuePrefix,
        METRICS_PORT: String(apiMetricsPort),
        // Tests and `pnpm chaos` inject faults into the Rekognition server; pnpm start keeps the door shut.
        REKOGNITION_FAULTS: "on",
        ...options.extraEnv,
      },
      stdio: options.stdio ?? "inherit",
    });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const token = await signDevToken(jwtSecret, { subject: `${options.name}-user`, expiresIn: "1h" });
  return {
    ...stack,
    token,
    jwtSecret,
    bucket,
    collectionId,
    queuePrefix,
    dataDir,
    ...(options.metrics ? { apiMetricsUrl: `http://127.0.0.1:${apiMetricsPort}/metrics` } : {}),
    async stop() {
      await stack.stop();
      if (options.redisUrl) await deleteKeys(options.redisUrl, `${queuePrefix}*`).catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function deleteKeys(redisUrl: string, pattern: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    for await (const keys of redis.scanStream({ match: pattern, count: 500 })) {
      if ((keys as string[]).length > 0) await redis.unlink(...(keys as string[]));
    }
  } finally {
    redis.disconnect();
  }
}
