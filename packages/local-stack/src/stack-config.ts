/** The local stack's settings from the environment, each with the reason for its default. */
import { resolve } from "node:path";
import { LOCAL_S3_CREDENTIALS } from "@faceindex/local-s3";
import { devJwtSecret } from "./dev-secret.ts";
import { DEFAULT_REDIS_MAXMEMORY } from "./redis-server.ts";
import type { LocalStackOptions } from "./local-stack.ts";

export function stackConfigFromEnv(env: NodeJS.ProcessEnv): LocalStackOptions {
  // One directory for everything the stack keeps, so `rm -rf .data` is a full reset.
  const dataDir = resolve(env.DATA_DIR ?? ".data");
  return {
    dataDir,
    // When set (and answering), use that Redis instead of starting a private redis-server.
    redisUrl: env.REDIS_URL || undefined,
    // The private redis-server's port: not 6379, so it never collides with a system Redis.
    redisPort: port(env.REDIS_PORT, 6390),
    // The private redis-server's memory bound (noeviction: past it writes fail, the API answers 503).
    redisMaxmemory: env.REDIS_MAXMEMORY || DEFAULT_REDIS_MAXMEMORY,
    apiPort: port(env.PORT, 3000),
    // s3rver's customary port.
    s3Port: port(env.S3_PORT, 4568),
    rekognitionPort: port(env.REKOGNITION_PORT, 4599),
    jwtSecret: devJwtSecret(dataDir, env.JWT_SECRET),
    // The bucket the README's curl example uses; add yours comma-separated.
    buckets: (env.S3_BUCKETS ?? "faceindex-local")
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean),
    // The one key pair the local S3 accepts; the s3rver-style default suits a machine of one's own.
    s3Credentials: {
      accessKeyId: env.LOCAL_S3_ACCESS_KEY_ID || LOCAL_S3_CREDENTIALS.accessKeyId,
      secretAccessKey: env.LOCAL_S3_SECRET_ACCESS_KEY || LOCAL_S3_CREDENTIALS.secretAccessKey,
    },
    collectionId: env.COLLECTION_ID ?? "faceindex",
    workers: Number(env.WORKERS ?? 1),
    // Worker n's /healthz and /readyz on this + n - 1: 9475 up, clear of the workers' metrics ports (9465 up).
    workerHealthPort: port(env.WORKER_HEALTH_PORT, 9475),
    faceEngine: env.FACE_ENGINE === "load-test" ? "load-test" : "neural",
    // pnpm start keeps every child running: one that dies is started again.
    supervise: true,
  };
}

function port(value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new Error(`Not a port number: ${value}`);
  return parsed;
}
