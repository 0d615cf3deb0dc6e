/**
 * The processes a pipeline row runs against: the stand-in for S3 and Rekognition, the direct baseline, and the
 * queue path (the project's API and one worker at concurrency 64 on the bench's Redis), all on 127.0.0.1.
 * Both paths verify the same kind of token and talk to the same stand-in.
 */
import { randomBytes } from "node:crypto";
import { freePort, uniqueName } from "@faceindex/testing";
import { signBenchToken } from "../bench-token.ts";
import { startChildService, type ChildService } from "../processes/child-service.ts";
import type { BenchRedis } from "../processes/bench-redis.ts";
import { waitForCall } from "../stand-in/stand-in-stats.ts";

export interface PipelineSystems {
  directUrl: string;
  apiUrl: string;
  standInUrl: string;
  token: string;
  bucket: string;
  pids: { direct: number; api: number; worker: number; standIn: number; redis?: number };
  stop(): Promise<void>;
}

// The measurement: one worker process running 64 jobs at once, enough that the stand-in never waits.
const WORKER_CONCURRENCY = "64";
// A worker starts in a few seconds; a busy shared machine may take several times that.
const WORKER_READY_TIMEOUT_MS = 60_000;

export async function startPipelineSystems(redis: BenchRedis): Promise<PipelineSystems> {
  const started: ChildService[] = [];
  const jwtSecret = randomBytes(32).toString("base64url");
  const collectionId = uniqueName("bench");
  const queuePrefix = `{${uniqueName("bench")}}`;
  const stopAll = async () => {
    for (const service of started.reverse()) await service.stop().catch(() => {});
    await redis.deletePrefix(queuePrefix).catch(() => {});
  };
  try {
    const standInPort = await freePort();
    const standInUrl = `http://127.0.0.1:${standInPort}`;
    const standIn = await startChildService({
      name: "stand-in",
      entry: "packages/bench/src/stand-in/main.ts",
      env: { ...process.env, STAND_IN_PORT: String(standInPort) },
      readyUrl: `${standInUrl}/_stats`,
    });
    started.push(standIn);
    // What both paths' SDK clients need: the stand-in as both endpoints, any credentials (nothing checks them).
    const aws = {
      AWS_ACCESS_KEY_ID: "bench",
      AWS_SECRET_ACCESS_KEY: "bench",
      AWS_REGION: "us-east-1",
      S3_ENDPOINT: standInUrl,
      REKOGNITION_ENDPOINT: standInUrl,
      COLLECTION_ID: collectionId,
      JWT_SECRET: jwtSecret,
      // Single-tenant: the API writes only to the bench's bucket.
      ALLOWED_BUCKETS: "bench-bucket",
      // Request logs off on every side alike: the bench measures the work, not a log pipeline.
      LOG_LEVEL: "warn",
    };
    const directPort = await freePort();
    const direct = await startChildService({
      name: "direct",
      entry: "packages/bench/src/direct/main.ts",
      env: { ...process.env, ...aws, PORT: String(directPort) },
      // Any answer means listening (an unauthenticated GET is a 404).
      readyUrl: `http://127.0.0.1:${directPort}/`,
      isReady: () => true,
    });
    started.push(direct);
    const queueEnv = { ...process.env, ...aws, REDIS_URL: redis.url, QUEUE_PREFIX: queuePrefix };
    const worker = await startChildService({
      name: "worker",
      entry: "apps/worker/src/main.ts",
      env: { ...queueEnv, WORKER_CONCURRENCY },
    });
    started.push(worker);
    // The worker has no HTTP port: it is ready once it has made sure of its collection.
    await waitForCall(standInUrl, "CreateCollection", WORKER_READY_TIMEOUT_MS);
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    // Metrics stay on (on a port of their own), as in production: their cost is part of the queue path.
    const api = await startChildService({
      name: "api",
      entry: "apps/api/src/main.ts",
      env: {
        ...queueEnv,
        PORT: String(apiPort),
        HOST: "127.0.0.1",
        METRICS_PORT: String(await freePort()),
        // One caller (the bench's token) is the whole load, as one onboarding backend would be, so its share is
        // every slot; with the default share (32) the 64-client rows would measure 503s, not the queue path.
        MAX_IN_FLIGHT_PER_CALLER: "256",
      },
      readyUrl: `${apiUrl}/readyz`,
    });
    started.push(api);
    return {
      directUrl: `http://127.0.0.1:${directPort}`,
      apiUrl,
      standInUrl,
      token: await signBenchToken(jwtSecret, "bench-user"),
      bucket: "bench-bucket",
      pids: {
        direct: direct.pid,
        api: api.pid,
        worker: worker.pid,
        standIn: standIn.pid,
        ...(redis.pid ? { redis: redis.pid } : {}),
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
