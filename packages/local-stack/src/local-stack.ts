/**
 * The whole pipeline on one machine: Redis, a local S3, the local Rekognition server, the API and workers.
 * `pnpm start` runs it for a user; the end-to-end tests run it exactly the same way.
 */
import { join } from "node:path";
import { LOCAL_S3_CREDENTIALS, startLocalS3 } from "@faceindex/local-s3";
import { findOrStartRedis } from "./redis-server.ts";
import { startService, stopChild, type ServiceProcess } from "./service-process.ts";

// Time for redis-server to flush its AOF on SIGTERM before it is killed.
const REDIS_STOP_GRACE_MS = 10_000;

export interface LocalStackOptions {
  /** Everything the stack keeps (Redis AOF, S3 objects, collections) lives under this directory. */
  dataDir: string;
  /** Use this Redis instead of starting one. */
  redisUrl?: string;
  redisPort: number;
  apiPort: number;
  s3Port: number;
  rekognitionPort: number;
  jwtSecret: string;
  /** Buckets created in the local S3 at start. */
  buckets: string[];
  collectionId: string;
  workers: number;
  /** "neural" (real models) or "load-test" (fixed latency, fake faces). */
  faceEngine: "neural" | "load-test";
  /** Extra variables for every app (e.g. SYNC_TIMEOUT_MS, LOG_LEVEL). */
  extraEnv?: NodeJS.ProcessEnv;
  stdio?: "inherit" | "pipe" | "ignore";
}

export interface LocalStack {
  apiUrl: string;
  s3Endpoint: string;
  rekognitionUrl: string;
  redisUrl: string;
  workers: ServiceProcess[];
  api: ServiceProcess;
  rekognition: ServiceProcess;
  /** Starts one more worker process (tests kill and replace workers). */
  addWorker(): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const stopping: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stopping.reverse()) await stop().catch(() => {});
  };
  try {
    const redis = await findOrStartRedis({
      url: options.redisUrl,
      port: options.redisPort,
      dataDir: join(options.dataDir, "redis"),
    });
    if (redis.process) stopping.push(() => stopRedis(redis.process!));
    const s3 = await startLocalS3({
      directory: join(options.dataDir, "s3"),
      port: options.s3Port,
      buckets: options.buckets,
    });
    stopping.push(() => s3.close());

    const rekognitionUrl = `http://127.0.0.1:${options.rekognitionPort}`;
    // One set of variables for every app: the same code runs against AWS when these point there instead.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
      AWS_REGION: "us-east-1",
      S3_ENDPOINT: s3.endpoint,
      REKOGNITION_ENDPOINT: rekognitionUrl,
      REDIS_URL: redis.url,
      JWT_SECRET: options.jwtSecret,
      COLLECTION_ID: options.collectionId,
      ...options.extraEnv,
    };
    const stdio = options.stdio ?? "inherit";

    const rekognition = await startService({
      name: "rekognition-local",
      entry: "apps/rekognition-local/src/main.ts",
      env: {
        ...env,
        REKOGNITION_PORT: String(options.rekognitionPort),
        REKOGNITION_DATA_DIR: join(options.dataDir, "rekognition"),
        FACE_ENGINE: options.faceEngine,
      },
      readyUrl: `${rekognitionUrl}/_local/health`,
      // Loading the face models in every engine thread takes tens of seconds on a small machine.
      readyTimeoutMs: 180_000,
      stdio,
    });
    stopping.push(() => rekognition.stop());

    const workers: ServiceProcess[] = [];
    const addWorker = async () => {
      const worker = await startService({
        name: `worker-${workers.length + 1}`,
        entry: "apps/worker/src/main.ts",
        env,
        stdio,
      });
      workers.push(worker);
      return worker;
    };
    for (let i = 0; i < options.workers; i++) await addWorker();
    stopping.push(async () => {
      await Promise.all(workers.map((worker) => worker.stop()));
    });

    const apiUrl = `http://127.0.0.1:${options.apiPort}`;
    const api = await startService({
      name: "api",
      entry: "apps/api/src/main.ts",
      env: { ...env, PORT: String(options.apiPort), HOST: "127.0.0.1" },
      readyUrl: `${apiUrl}/readyz`,
      stdio,
    });
    stopping.push(() => api.stop());

    return {
      apiUrl,
      s3Endpoint: s3.endpoint,
      rekognitionUrl,
      redisUrl: redis.url,
      workers,
      api,
      rekognition,
      addWorker,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function stopRedis(child: import("node:child_process").ChildProcess): Promise<void> {
  // redis-server flushes the AOF on SIGTERM; one that died on a signal (exitCode null) must not hang stop().
  await stopChild(child, REDIS_STOP_GRACE_MS);
}
