/**
 * The whole pipeline on one machine: Redis, a local S3, the local Rekognition server, the API and workers,
 * each its own process. `pnpm start` runs it for a user (supervised: a child that dies is started again);
 * the end-to-end tests run it exactly the same way. No child outlives the process that started the stack.
 */
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { LOCAL_S3_CREDENTIALS, LOCAL_S3_HEALTH_PATH } from "@faceindex/local-s3";
import { freePort } from "@faceindex/testing";
import { findOrStartRedis } from "./redis-server.ts";
import { startService, stopChild, type ServiceProcess } from "./service-process.ts";
import { supervise } from "./supervisor.ts";

// Time for redis-server to flush its AOF on SIGTERM before it is killed.
const REDIS_STOP_GRACE_MS = 10_000;

export interface LocalStackOptions {
  /** Everything the stack keeps (Redis AOF, S3 objects, collections) lives under this directory (0700). */
  dataDir: string;
  /** Use this Redis instead of starting one. */
  redisUrl?: string;
  redisPort: number;
  /** maxmemory of the private redis-server (unused with redisUrl). */
  redisMaxmemory?: string;
  apiPort: number;
  s3Port: number;
  rekognitionPort: number;
  jwtSecret: string;
  /** Buckets created in the local S3 at start. */
  buckets: string[];
  /** The one key pair the local S3 accepts (and the apps sign with). */
  s3Credentials?: { accessKeyId: string; secretAccessKey: string };
  collectionId: string;
  workers: number;
  /**
   * The first worker's health port (/healthz, /readyz); worker n listens on this + n - 1. Unset or 0: each
   * worker gets a free port (tests, several stacks at once).
   */
  workerHealthPort?: number;
  /** "neural" (real models) or "load-test" (fixed latency, fake faces). */
  faceEngine: "neural" | "load-test";
  /** Start a child again when it dies (pnpm start). Off for tests that kill and replace children themselves. */
  supervise?: boolean;
  /** The metrics port of the i-th worker (0-based), one each; unset = worker metrics off. */
  workerMetricsPort?: (index: number) => number | Promise<number>;
  /** Extra variables for every app (e.g. SYNC_TIMEOUT_MS, LOG_LEVEL). */
  extraEnv?: NodeJS.ProcessEnv;
  stdio?: "inherit" | "pipe" | "ignore";
}

export interface LocalStack {
  apiUrl: string;
  s3Endpoint: string;
  rekognitionUrl: string;
  redisUrl: string;
  /** Every worker's readiness URL (`/readyz`), comma-separated, for the banner. */
  workerHealthUrl?: string;
  /** GET /metrics of each worker started (in start order), when worker metrics are on. */
  workerMetricsUrls: string[];
  /** Per worker process (in start order), its health server's base URL (GET /healthz, /readyz). */
  workerHealthUrls: string[];
  workers: ServiceProcess[];
  api: ServiceProcess;
  rekognition: ServiceProcess;
  s3: ServiceProcess;
  /** The private redis-server, when the stack started one. */
  redis?: ServiceProcess;
  /** Starts one more worker process (tests kill and replace workers). */
  addWorker(): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const stopping: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stopping.reverse()) await stop().catch(() => {});
  };
  const supervised = options.supervise ?? false;
  const stdio = options.stdio ?? "inherit";
  try {
    // It holds selfies, faces and tokens' secret: only this user may read it (an existing one is tightened).
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    chmodSync(options.dataDir, 0o700);
    const found = await findOrStartRedis({
      url: options.redisUrl,
      port: options.redisPort,
      dataDir: join(options.dataDir, "redis"),
      maxmemory: options.redisMaxmemory,
    });
    const redis =
      found.process && found.restart
        ? supervise({
            name: "redis",
            first: found.process,
            restart: found.restart,
            stopChild,
            enabled: supervised,
            log: console.error,
          })
        : undefined;
    if (redis) stopping.push(() => redis.stop(REDIS_STOP_GRACE_MS));

    const s3Credentials = options.s3Credentials ?? LOCAL_S3_CREDENTIALS;
    const s3Endpoint = `http://127.0.0.1:${options.s3Port}`;
    const s3 = await startService({
      name: "local-s3",
      entry: "packages/local-s3/src/main.ts",
      env: {
        ...process.env,
        LOCAL_S3_DIR: join(options.dataDir, "s3"),
        LOCAL_S3_PORT: String(options.s3Port),
        LOCAL_S3_BUCKETS: options.buckets.join(","),
        LOCAL_S3_ACCESS_KEY_ID: s3Credentials.accessKeyId,
        LOCAL_S3_SECRET_ACCESS_KEY: s3Credentials.secretAccessKey,
      },
      readyUrl: `${s3Endpoint}${LOCAL_S3_HEALTH_PATH}`,
      stdio,
      supervise: supervised,
    });
    stopping.push(() => s3.stop());

    const rekognitionUrl = `http://127.0.0.1:${options.rekognitionPort}`;
    // One set of variables for every app: the same code runs against AWS when these point there instead.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_ACCESS_KEY_ID: s3Credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3Credentials.secretAccessKey,
      AWS_REGION: "us-east-1",
      S3_ENDPOINT: s3Endpoint,
      REKOGNITION_ENDPOINT: rekognitionUrl,
      REDIS_URL: found.url,
      JWT_SECRET: options.jwtSecret,
      COLLECTION_ID: options.collectionId,
      ...options.extraEnv,
    };

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
      supervise: supervised,
    });
    stopping.push(() => rekognition.stop());

    const workers: ServiceProcess[] = [];
    const workerMetricsUrls: string[] = [];
    const workerHealthUrls: string[] = [];
    const addWorker = async () => {
      const metricsPort = options.workerMetricsPort ? await options.workerMetricsPort(workers.length) : 0;
      if (metricsPort !== 0) workerMetricsUrls.push(`http://127.0.0.1:${metricsPort}/metrics`);
      const healthPort = options.workerHealthPort ? options.workerHealthPort + workers.length : await freePort();
      const healthUrl = `http://127.0.0.1:${healthPort}`;
      const worker = await startService({
        name: `worker-${workers.length + 1}`,
        entry: "apps/worker/src/main.ts",
        // Its own ports, kept across restarts; the worker listens once its queues run, so /healthz = started.
        env: {
          ...env,
          WORKER_METRICS_PORT: String(metricsPort),
          WORKER_HEALTH_PORT: String(healthPort),
          WORKER_HEALTH_HOST: "127.0.0.1",
        },
        readyUrl: `${healthUrl}/healthz`,
        stdio,
        supervise: supervised,
      });
      workers.push(worker);
      workerHealthUrls.push(healthUrl);
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
      // The API writes only to the buckets it is told of: the stack's own, plus any the caller adds.
      env: {
        ...env,
        PORT: String(options.apiPort),
        HOST: "127.0.0.1",
        ALLOWED_BUCKETS: [...options.buckets, ...(env.ALLOWED_BUCKETS ?? "").split(",")].filter(Boolean).join(","),
      },
      readyUrl: `${apiUrl}/readyz`,
      // After a crash the API is back once it answers; /readyz may wait for Redis, which has its own restarts.
      restartReadyUrl: `${apiUrl}/healthz`,
      stdio,
      supervise: supervised,
    });
    stopping.push(() => api.stop());

    return {
      apiUrl,
      s3Endpoint,
      rekognitionUrl,
      redisUrl: found.url,
      get workerHealthUrl() {
        return workerHealthUrls.map((url) => `${url}/readyz`).join(", ");
      },
      workerHealthUrls,
      workerMetricsUrls,
      workers,
      api,
      rekognition,
      s3,
      ...(redis ? { redis } : {}),
      addWorker,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
