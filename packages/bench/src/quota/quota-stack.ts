/**
 * The real local stack for the quota scenario: the local S3, the local Rekognition server in load-test mode
 * (no face models: a fixed delay per image) with a TPS quota, two workers and the API, on the bench's Redis.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { INDEX_FACES_QUEUE } from "@faceindex/contracts";
import { LOCAL_S3_CREDENTIALS } from "@faceindex/local-s3";
import { freePort, uniqueName } from "@faceindex/testing";
import { Redis } from "ioredis";
import { signBenchToken } from "../bench-token.ts";
import type { BenchRedis } from "../processes/bench-redis.ts";
import { startChildService, type ChildService } from "../processes/child-service.ts";
import { countCalls, type CallCounter } from "./rekognition-calls.ts";

export interface QuotaStackOptions {
  tpsLimit: number;
  workers: number;
  workerConcurrency: number;
  /** The load-test engine's delay per image, standing in for the models. */
  engineLatencyMs: number;
}

export interface QuotaStack {
  apiUrl: string;
  token: string;
  bucket: string;
  rekognitionCalls: CallCounter;
  /** Resolves once no index job waits, runs or is delayed (504s leave jobs running after their answer). */
  waitUntilIdle(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startQuotaStack(redis: BenchRedis, options: QuotaStackOptions): Promise<QuotaStack> {
  const dataDir = mkdtempSync(join(tmpdir(), "faceindex-bench-quota-"));
  const started: ChildService[] = [];
  const queuePrefix = `{${uniqueName("bench-quota")}}`;
  const bucket = "bench-bucket";
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue(INDEX_FACES_QUEUE, { connection, prefix: queuePrefix });
  const stop = async () => {
    for (const service of started.reverse()) await service.stop().catch(() => {});
    await queue.close().catch(() => {});
    connection.disconnect();
    await redis.deletePrefix(queuePrefix).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const s3Port = await freePort();
    const s3Endpoint = `http://127.0.0.1:${s3Port}`;
    started.push(
      await startChildService({
        name: "local-s3",
        entry: "packages/bench/src/local-s3-main.ts",
        env: {
          ...process.env,
          LOCAL_S3_PORT: String(s3Port),
          LOCAL_S3_DIR: join(dataDir, "s3"),
          LOCAL_S3_BUCKET: bucket,
        },
        // Any answer (an unsigned GET is refused) means it listens.
        readyUrl: `${s3Endpoint}/`,
        isReady: () => true,
      }),
    );
    const jwtSecret = randomBytes(32).toString("base64url");
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
      AWS_REGION: "us-east-1",
      S3_ENDPOINT: s3Endpoint,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: queuePrefix,
      COLLECTION_ID: uniqueName("bench-quota"),
      JWT_SECRET: jwtSecret,
      // Single-tenant: the API writes only to the bench's bucket.
      ALLOWED_BUCKETS: "bench-bucket",
      LOG_LEVEL: "warn",
    };
    const rekognitionPort = await freePort();
    const rekognitionUrl = `http://127.0.0.1:${rekognitionPort}`;
    const rekognition = await startChildService({
      name: "rekognition-local",
      entry: "apps/rekognition-local/src/main.ts",
      env: {
        ...env,
        REKOGNITION_PORT: String(rekognitionPort),
        REKOGNITION_DATA_DIR: join(dataDir, "rekognition"),
        FACE_ENGINE: "load-test",
        LOAD_TEST_LATENCY_MS: String(options.engineLatencyMs),
        REKOGNITION_TPS_LIMIT: String(options.tpsLimit),
        // Its one log line per call is how throttled IndexFaces calls are counted.
        LOG_LEVEL: "info",
      },
      readyUrl: `${rekognitionUrl}/_local/health`,
      stdout: "pipe",
    });
    started.push(rekognition);
    const rekognitionCalls = countCalls(rekognition.child.stdout!);
    for (let i = 0; i < options.workers; i++) {
      started.push(
        await startChildService({
          name: `worker-${i + 1}`,
          entry: "apps/worker/src/main.ts",
          env: {
            ...env,
            REKOGNITION_ENDPOINT: rekognitionUrl,
            WORKER_CONCURRENCY: String(options.workerConcurrency),
            // The workers are told the quota, as a deployment that knows its account's quota is.
            REKOGNITION_TPS: String(options.tpsLimit),
          },
        }),
      );
    }
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    started.push(
      await startChildService({
        name: "api",
        entry: "apps/api/src/main.ts",
        env: {
          ...env,
          PORT: String(apiPort),
          HOST: "127.0.0.1",
          METRICS_PORT: String(await freePort()),
          // One caller sends the whole offered load, as one onboarding backend does: its share of the slots is
          // all of them (the README's advice for a single calling service). The default share (32) would cap
          // it at 32 requests in flight, which at the quota's pace is well below what the wait guard admits.
          MAX_IN_FLIGHT_PER_CALLER: "256",
        },
        readyUrl: `${apiUrl}/readyz`,
      }),
    );
    return {
      apiUrl,
      token: await signBenchToken(jwtSecret, "bench-quota-user"),
      bucket,
      rekognitionCalls,
      async waitUntilIdle(timeoutMs) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const counts = await queue.getJobCounts("waiting", "active", "delayed", "prioritized");
          if (Object.values(counts).every((count) => count === 0)) return;
          if (Date.now() > deadline) throw new Error(`index jobs still pending: ${JSON.stringify(counts)}`);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
