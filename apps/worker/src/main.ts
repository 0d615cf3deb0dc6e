/**
 * Worker process: reads the environment, builds the clients, makes sure the collection exists, then
 * runs one BullMQ worker per job kind (index, search and delete: workers.ts) until SIGTERM/SIGINT.
 */
import { RekognitionClient } from "@aws-sdk/client-rekognition";
import { S3Client } from "@aws-sdk/client-s3";
import { connectRedis } from "@faceindex/redis-connection";
import { pino } from "pino";
import { createRateBucket } from "./adapters/redis/rate-bucket.ts";
import { ensureCollection } from "./adapters/rekognition/ensure-collection.ts";
import { createFaceCollection } from "./adapters/rekognition/face-collection.ts";
import { createFaceDetector } from "./adapters/rekognition/face-detector.ts";
import { createFaceIndex } from "./adapters/rekognition/face-index.ts";
import { withRekognitionUsers } from "./adapters/rekognition/users-mode.ts";
import { s3ClientSettings } from "./adapters/s3/client-settings.ts";
import { createImageStore } from "./adapters/s3/image-store.ts";
import { parseConfig } from "./config.ts";
import { paceClient } from "./runtime/paced-client.ts";
import { instrumentAwsClient } from "./metrics/aws-call-metrics.ts";
import { buildWorkerMetricsServer } from "./metrics/metrics-server.ts";
import { observeWorker } from "./metrics/observe-workers.ts";
import { createWorkerMetrics } from "./metrics/worker-metrics.ts";
import { createDependencyHealth, trackDependency } from "./health/dependency-health.ts";
import { startHealthServer } from "./health/health-server.ts";
import { createWorkers } from "./workers.ts";

const config = parseConfig(process.env);
const logger = pino({
  name: "worker",
  level: config.LOG_LEVEL,
  // Nothing here logs image bytes or secrets; redaction guards against one slipping in later.
  redact: {
    paths: ["*.image", "*.bytes", "*.Body", "*.secretAccessKey", "*.sessionToken", "*.authorization"],
    censor: "[redacted]",
  },
});

// The SDK's own retries stay low: BullMQ retries the whole job with backoff, and the two would multiply.
const SDK_MAX_ATTEMPTS = 2;
// A TCP connect slower than this means the endpoint is down; failing fast lets BullMQ's backoff take over.
const CONNECTION_TIMEOUT_MS = 3_000;
// S3 PUTs of a few MB and IndexFaces (1-3 s on AWS, several seconds on a busy local engine) finish well
// inside this; past it a retry is better than a hung job holding its lock.
const REQUEST_TIMEOUT_MS = 20_000;
const requestHandler = {
  connectionTimeout: CONNECTION_TIMEOUT_MS,
  requestTimeout: REQUEST_TIMEOUT_MS,
  throwOnRequestTimeout: true,
};

const s3 = new S3Client({ ...s3ClientSettings(config), maxAttempts: SDK_MAX_ATTEMPTS, requestHandler });
const rekognition = new RekognitionClient({
  region: config.AWS_REGION,
  endpoint: config.REKOGNITION_ENDPOINT,
  maxAttempts: SDK_MAX_ATTEMPTS,
  requestHandler,
});
// WORKER_METRICS_PORT=0 turns metrics off: nothing is counted and no listener opens.
const metrics = config.WORKER_METRICS_PORT === 0 ? undefined : createWorkerMetrics();
if (metrics) {
  instrumentAwsClient(s3, "s3", metrics);
  instrumentAwsClient(rekognition, "rekognition", metrics);
}
// The last S3 and Rekognition outcome, for the health port's answers.
const dependencyHealth = createDependencyHealth();
trackDependency(s3, "s3", dependencyHealth);
trackDependency(rekognition, "rekognition", dependencyHealth);
// BullMQ's workers need maxRetriesPerRequest: null (blocking commands wait for a reconnect instead of failing).
const redis = connectRedis({ url: config.REDIS_URL, cluster: config.REDIS_CLUSTER }, { maxRetriesPerRequest: null });
redis.on("error", (error) => logger.warn({ code: (error as { code?: string }).code }, "redis connection error"));

// Every call of both clients is paced by one bucket per operation shared through Redis (rate-bucket.ts).
const rates = config.REKOGNITION_TPS ?? {};
const pacing = createRateBucket({
  redis,
  prefix: config.QUEUE_PREFIX,
  ratePerSecond: (operation) =>
    operation.startsWith("rekognition:") ? (rates[operation.slice("rekognition:".length)] ?? rates["*"]) : undefined,
});
paceClient(rekognition, "rekognition", pacing);
paceClient(s3, "s3", pacing);

const faceIndex = createFaceIndex(rekognition);
await ensureCollection(faceIndex, config.COLLECTION_ID, logger).catch((error: unknown) => {
  logger.fatal({ err: error instanceof Error ? { message: error.message } : error }, "cannot start");
  process.exit(1);
});

// REKOGNITION_USERS=on: the same interfaces over Rekognition's users (one per external id).
const faces = { faceIndex, faceCollection: createFaceCollection(rekognition) };
const rekognitionFaces = config.REKOGNITION_USERS === "on" ? withRekognitionUsers(rekognition, faces) : faces;

// Every kind's worker: the same Redis, prefix, concurrency, job lock and stalled-job checks.
const workers = createWorkers({
  redis,
  imageStore: createImageStore(s3, { conditionalWrites: config.S3_CONDITIONAL_WRITES }),
  ...rekognitionFaces,
  faceDetector: createFaceDetector(rekognition),
  collectionId: config.COLLECTION_ID,
  auditRetentionMs: config.AUDIT_RETENTION_DAYS * 24 * 3600 * 1000,
  logger,
  concurrency: config.WORKER_CONCURRENCY,
  prefix: config.QUEUE_PREFIX,
  ...(config.JOB_LOCK_MS === undefined ? {} : { lockDurationMs: config.JOB_LOCK_MS }),
  ...(config.STALLED_CHECK_MS === undefined ? {} : { stalledIntervalMs: config.STALLED_CHECK_MS }),
  ...(metrics
    ? {
        onThrottlePause: (queue: string) => metrics.throttlePauses.inc({ queue }),
        onLockWait: (queue: string) => metrics.lockWaits.inc({ queue }),
      }
    : {}),
});
for (const [kind, worker] of Object.entries(workers.byKind)) if (metrics) observeWorker(kind, worker, metrics);
const metricsServer = metrics ? buildWorkerMetricsServer(metrics.registry) : undefined;
// Metrics never stop the worker: a port already taken (a second worker on this host without its own
// WORKER_METRICS_PORT) is logged loudly, and this process runs without them.
await metricsServer
  ?.listen({ port: config.WORKER_METRICS_PORT, host: config.WORKER_METRICS_HOST })
  .then((address) => logger.info({ address }, "worker metrics listening"))
  .catch((error: unknown) => {
    logger.error(
      { err: error instanceof Error ? { message: error.message } : error, port: config.WORKER_METRICS_PORT },
      "worker metrics listener could not start; running without GET /metrics",
    );
  });
// Listens once the workers run, so a 200 from /healthz also says the worker got past its start-up.
const healthServer =
  config.WORKER_HEALTH_PORT === 0
    ? undefined
    : await startHealthServer(
        { redis, dependencies: dependencyHealth },
        config.WORKER_HEALTH_HOST,
        config.WORKER_HEALTH_PORT,
      ).catch((error: unknown) => {
        logger.fatal(
          { err: error instanceof Error ? { message: error.message } : error },
          "cannot open the health port",
        );
        process.exit(1);
      });
logger.info(
  { concurrency: config.WORKER_CONCURRENCY, collectionId: config.COLLECTION_ID, health: healthServer?.url ?? null },
  "worker started",
);

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) {
    logger.warn({ signal }, "second signal, exiting now");
    process.exit(1);
  }
  stopping = true;
  logger.info({ signal }, "shutting down: letting active jobs finish");
  // close() stops taking jobs and waits for the active ones; a job cut off harder is re-run after its lock expires.
  await workers.close();
  await metricsServer?.close();
  await healthServer?.close();
  await redis.quit();
  s3.destroy();
  rekognition.destroy();
  logger.info("worker stopped");
}
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, (received) => {
    shutdown(received).catch((error: unknown) => {
      logger.error({ err: error instanceof Error ? { message: error.message } : error }, "shutdown failed");
      process.exit(1);
    });
  });
}
