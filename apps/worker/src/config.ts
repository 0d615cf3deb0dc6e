/** The worker's environment, parsed once in main.ts. */
import { z } from "zod";
import { logLevel, parseEnv, unsetIfEmpty } from "@faceindex/config";
import { DEFAULT_AUDIT_RETENTION_DAYS } from "@faceindex/audit";
import { QUEUE_PREFIX } from "@faceindex/contracts";

export const configSchema = z.object({
  // Where BullMQ's queue and the API's parked images live.
  REDIS_URL: z.url(),
  // "true": REDIS_URL is a seed node of a Redis Cluster (so is a redis+cluster:// URL).
  REDIS_CLUSTER: unsetIfEmpty(z.enum(["true", "false"]).default("false")).transform((v) => v === "true"),
  // Key prefix of the queues, parked images and gallery mapping; must match the API's. A {hash tag} keeps
  // them in one cluster slot; a second deployment (or a test) sharing the Redis uses its own.
  QUEUE_PREFIX: unsetIfEmpty(
    z
      .string()
      .regex(/^\{[^{}]+\}$/, "must be a {hash tag}")
      .default(QUEUE_PREFIX),
  ),
  // The collection of the default tenant and of jobs that name none; each tenant's is named in its jobs
  // (by the API) and created on first use. This one is created at start when missing.
  COLLECTION_ID: unsetIfEmpty(
    z
      .string()
      .regex(/^[a-zA-Z0-9_.-]{1,255}$/)
      .default("faceindex"),
  ),
  // Jobs are I/O-bound waits on S3 and Rekognition, so a few run at once per process.
  WORKER_CONCURRENCY: unsetIfEmpty(z.coerce.number().int().min(1).max(64).default(4)),
  // A job's lock: a killed worker's job is re-run after it lapses; unset = 10 s (runtime/queue-worker.ts).
  // Tests shorten it.
  JOB_LOCK_MS: unsetIfEmpty(z.coerce.number().int().min(1_000).max(600_000).optional()),
  // How often lapsed locks are looked for; unset = 5 s (runtime/queue-worker.ts).
  STALLED_CHECK_MS: unsetIfEmpty(z.coerce.number().int().min(500).max(600_000).optional()),
  // Port of the worker's /healthz and /readyz (health/health-server.ts); 0 = off (the default: several
  // workers on one machine would collide on any fixed port; pnpm start gives each its own).
  WORKER_HEALTH_PORT: unsetIfEmpty(z.coerce.number().int().min(0).max(65_535).default(0)),
  // Interface of the health port: loopback unless an orchestrator probes from outside (e.g. 0.0.0.0 in a pod).
  WORKER_HEALTH_HOST: unsetIfEmpty(z.string().min(1).default("127.0.0.1")),
  // Local S3-compatible server (e.g. http://127.0.0.1:4569); unset means real AWS S3.
  S3_ENDPOINT: unsetIfEmpty(z.url().optional()),
  // Path-style URLs (endpoint/bucket/key); unset = on with S3_ENDPOINT (local servers need it), off for AWS.
  S3_FORCE_PATH_STYLE: unsetIfEmpty(z.enum(["true", "false"]).optional()).transform((v) =>
    v === undefined ? undefined : v === "true",
  ),
  // Whether S3 refuses If-None-Match: * over an existing object (AWS S3 since 2024, MinIO, the local S3 do):
  // a new key is then written in one conditional PUT. "false" for a server that ignores the header: each
  // enrolment looks (HEAD) before writing, so another person's object is never overwritten.
  S3_CONDITIONAL_WRITES: unsetIfEmpty(z.enum(["true", "false"]).default("true")).transform((v) => v === "true"),
  // Local Rekognition-compatible server (apps/rekognition-local); unset means real AWS Rekognition.
  REKOGNITION_ENDPOINT: unsetIfEmpty(z.url().optional()),
  // Rekognition calls per second the account's quota allows, shared by every worker of the deployment
  // (runtime/paced-client.ts): "50" for every operation, or "IndexFaces=50,SearchFacesByImage=5". Unset:
  // unknown, so the workers adapt to throttles (as they also do when it is set too high). S3 always adapts.
  REKOGNITION_TPS: unsetIfEmpty(
    z
      .string()
      .regex(/^(\d+(\.\d+)?|[A-Za-z]+=\d+(\.\d+)?(,[A-Za-z]+=\d+(\.\d+)?)*)$/, 'a number or "Operation=n,..."')
      .transform(parseOperationRates)
      .optional(),
  ),
  // Region of both clients; unset = the standard AWS chain (profile), like the credentials.
  AWS_REGION: unsetIfEmpty(z.string().min(1).optional()),
  // "on": each external id is a Rekognition user (index associates, search/dedupe use SearchUsersByImage).
  REKOGNITION_USERS: unsetIfEmpty(z.enum(["on", "off"]).default("off")),
  // How long the audit trail keeps an entry (trimmed on write); KYC record-keeping asks for a year and more.
  AUDIT_RETENTION_DAYS: unsetIfEmpty(z.coerce.number().int().min(1).max(36_500).default(DEFAULT_AUDIT_RETENTION_DAYS)),
  // GET /metrics of this process; 0 = off. 9465: beside the API's 9464, so both run on one host.
  WORKER_METRICS_PORT: unsetIfEmpty(z.coerce.number().int().min(0).max(65_535).default(9465)),
  // Interface of that listener: loopback, so only a scraper on the host (or a sidecar) reaches it; 0.0.0.0 in a pod.
  WORKER_METRICS_HOST: unsetIfEmpty(z.string().min(1).default("127.0.0.1")),
  // pino level.
  LOG_LEVEL: unsetIfEmpty(logLevel),
});

/** "50" -> {"*": 50}; "IndexFaces=50,DeleteFaces=5" -> per operation ("*" = every other operation). */
function parseOperationRates(text: string): Record<string, number> {
  if (!text.includes("=")) return { "*": Number(text) };
  return Object.fromEntries(text.split(",").map((pair) => [pair.split("=")[0], Number(pair.split("=")[1])]));
}

export type WorkerConfig = z.infer<typeof configSchema>;

/** Parses the environment, or throws one error naming every bad variable (never their values). */
export function parseConfig(env: NodeJS.ProcessEnv): WorkerConfig {
  return parseEnv(configSchema, env, "worker");
}
