/** The API's environment, parsed once by main.ts; nothing else reads process.env. */
import { z } from "zod";
import { logLevel, parseEnv, unsetIfEmpty } from "@faceindex/config";
import { QUALITY_GATE_MODES, QUEUE_PREFIX, SCOPES } from "@faceindex/contracts";

const MIB = 1024 * 1024;

export const configSchema = z
  .object({
    /** TCP port the HTTP server listens on. */
    PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
    /** Interface to bind; 0.0.0.0 so a container's port mapping reaches it. */
    HOST: z.string().min(1).default("0.0.0.0"),
    /**
     * Port of the Prometheus listener (GET /metrics), apart from the API's so metrics are never public;
     * 9464 is the default of OpenTelemetry's Prometheus exporter. 0 turns metrics off.
     */
    METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9464),
    /** Interface of the metrics listener: loopback, so only a scraper on the host (or a sidecar) reaches it. */
    METRICS_HOST: z.string().min(1).default("127.0.0.1"),
    /** Redis holding the BullMQ queue and the parked images; must use maxmemory-policy noeviction. */
    REDIS_URL: z.string().url().default("redis://127.0.0.1:6379"),
    /** "true": REDIS_URL is a seed node of a Redis Cluster (so is a redis+cluster:// URL). */
    REDIS_CLUSTER: z
      .enum(["true", "false"])
      .default("false")
      .transform((v) => v === "true"),
    /** Key prefix of the queues and parked images; must match the worker's. A second deployment (or a test) sharing the Redis uses its own. */
    QUEUE_PREFIX: z
      .string()
      .regex(/^\{[^{}]+\}$/, "must be a {hash tag}")
      .default(QUEUE_PREFIX),
    /**
     * The Rekognition collection of a single-tenant service, and the base of each tenant's
     * (`${COLLECTION_ID}-${tenant}`): the API names it in every job, the worker falls back to its own for
     * older jobs, so both must agree.
     */
    COLLECTION_ID: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]{1,255}$/)
      .default("faceindex"),
    /** Shared secret for HS256 tokens (at least 32 bytes, as RFC 7518 requires for HS256). */
    JWT_SECRET: unsetIfEmpty(z.string().min(32, "JWT_SECRET must be at least 32 characters").optional()),
    /** PEM public key (SPKI, RSA or EC P-256) for RS256 / ES256 tokens; `\n` escapes are accepted. */
    JWT_PUBLIC_KEY: unsetIfEmpty(
      z
        .string()
        .optional()
        .transform((value) => value?.replace(/\\n/g, "\n")),
    ),
    /** JWKS URL of the identity provider, for RS256 / ES256 tokens whose key is picked by `kid`. */
    JWT_JWKS_URL: unsetIfEmpty(z.string().url().optional()),
    /** When set, a token's `iss` must equal it. */
    JWT_ISSUER: unsetIfEmpty(z.string().optional()),
    /** When set, a token's `aud` must contain it. */
    JWT_AUDIENCE: unsetIfEmpty(z.string().optional()),
    /**
     * Longest lifetime (exp - iat, in seconds) a token may be minted with; tokens must carry exp. Identity
     * providers mint access tokens for about an hour; a day leaves room for the 12 h dev tokens of `pnpm
     * start` and daily service tokens, and a leaked token is useless after it at the latest.
     */
    JWT_MAX_TOKEN_AGE: z.coerce.number().int().positive().default(86_400),
    /** Largest decoded image accepted; Rekognition's own limit for image bytes is 15 MiB via S3. */
    MAX_IMAGE_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(15 * MIB),
    /** How long a request waits for the worker before answering 504 (the job keeps running). */
    SYNC_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
    /**
     * New jobs are refused (503 + Retry-After) while more than this many wait: past it the workers cannot
     * reach a new job within SYNC_TIMEOUT_MS anyway. Set it to throughput x SYNC_TIMEOUT_MS: AWS's
     * default IndexFaces quota is 50 TPS, so 1000 is ~20 s of work, inside the 30 s timeout (the
     * load-test pipeline here does ~140 jobs/s: README, Reliability).
     */
    MAX_BACKLOG: z.coerce.number().int().positive().default(1_000),
    /**
     * New images are refused (503 + Retry-After) while Redis's used_memory is above this share of its
     * maxmemory: under noeviction a full Redis refuses every write, BullMQ's too, so the rest is kept for
     * job records, event streams and the images already accepted. Off when Redis has no maxmemory.
     */
    REDIS_MEMORY_HIGH_WATER: z.coerce.number().gt(0).max(1).default(0.8),
    /**
     * Requests holding an image per API process; past it, 503 + Retry-After before the body is read. Each
     * holds its base64 text and decoded bytes (~2.3x the image) for up to SYNC_TIMEOUT_MS: 256 phone
     * selfies (<= 1 MB) stay under ~650 MB; lower it to memory / 37 MB if clients send MAX_IMAGE_BYTES images.
     */
    MAX_IN_FLIGHT: z.coerce.number().int().positive().default(256),
    /**
     * Body bytes (by Content-Length; a chunked body counts as the largest accepted) the requests in flight may
     * hold together; past it, 503 + Retry-After before the body is read. Sized for a 1 GB API process: each
     * body byte held costs up to ~4 bytes of RSS (measured 3.4: the read chunks, the JSON string, the decoded
     * image, garbage not yet collected) and the process itself ~150 MB, so 150 MB + 4 x 192 MiB = 955 MB
     * (inFlightMemoryBudget; test/memory-budget.test.ts). A caller may hold a quarter (admission/in-flight-limit.ts).
     */
    MAX_IN_FLIGHT_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(192 * MIB),
    /**
     * Requests holding an image that one caller (the token's tenant, else its subject) may have in flight:
     * an eighth of MAX_IN_FLIGHT, so a flood or a pile of slow bodies from one caller leaves the rest to others.
     */
    MAX_IN_FLIGHT_PER_CALLER: z.coerce.number().int().positive().default(32),
    /**
     * Headers and body must arrive within this, or the connection is closed (408) and its slot freed. A
     * selfie (<= 1 MB, ~1.4 MB as base64) crosses a 1 Mbit/s mobile uplink in ~11 s; the largest body
     * (~21 MB) needs ~12 Mbit/s. Well under SYNC_TIMEOUT_MS, so a slow body cannot hold a slot for the
     * whole wait of a real request.
     */
    BODY_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
    /**
     * The KYC quality gate of an index_faces request whose body has no `quality_gate`: "off" (IndexFaces'
     * QualityFilter alone) or "enforce" (refuse closed eyes, occlusion, extreme pose, blur, darkness first).
     * Off by default: it costs a DetectFaces call per enrolment and refuses captures that used to be indexed.
     */
    QUALITY_GATE: z.enum(QUALITY_GATE_MODES).default("off"),
    /** The claim naming the caller's tenant (identity providers often namespace custom claims, e.g. `https://acme/tenant`). */
    JWT_TENANT_CLAIM: z.string().min(1).default("tenant"),
    /**
     * Scopes granted to a token with no `scope` / `scp` claim at all (space- or comma-separated), for dashboards
     * whose identity provider issues none. Unset: such tokens may do nothing (403 INSUFFICIENT_SCOPE).
     */
    JWT_DEFAULT_SCOPES: unsetIfEmpty(
      z
        .string()
        .optional()
        .transform((value) => (value ?? "").split(/[\s,]+/).filter(Boolean))
        .pipe(z.array(z.enum(SCOPES, { message: `scopes are ${SCOPES.join(", ")}` }))),
    ),
    /**
     * Tenants as JSON, `{"acme":{"buckets":["acme-kyc"],"collection_id":"optional"}}`: each with the buckets its
     * callers may use and its own collection. Unset: single-tenant (ALLOWED_BUCKETS, COLLECTION_ID).
     */
    TENANTS: unsetIfEmpty(z.string().optional()),
    /** The same JSON in a file (for a secret store or a config map), instead of TENANTS. */
    TENANTS_FILE: unsetIfEmpty(z.string().optional()),
    /**
     * Single-tenant only: the buckets callers may write to and erase from (comma-separated); any other is
     * refused (403 BUCKET_NOT_ALLOWED), so a token cannot make the worker write wherever its AWS role reaches.
     */
    ALLOWED_BUCKETS: unsetIfEmpty(
      z
        .string()
        .optional()
        .transform((value) =>
          (value ?? "")
            .split(",")
            .map((bucket) => bucket.trim())
            .filter(Boolean),
        ),
    ),
    /** pino level: fatal, error, warn, info, debug, trace or silent. */
    LOG_LEVEL: logLevel,
  })
  // Exactly one key source: the accepted algorithms follow from it, so a token can never pick
  // which key (and so which algorithm family) verifies it.
  .refine((env) => [env.JWT_SECRET, env.JWT_PUBLIC_KEY, env.JWT_JWKS_URL].filter(Boolean).length === 1, {
    message: "set exactly one of JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS_URL",
    path: ["JWT_SECRET"],
  })
  .refine((env) => !(env.TENANTS && env.TENANTS_FILE), {
    message: "set TENANTS or TENANTS_FILE, not both",
    path: ["TENANTS"],
  })
  // Without tenants, the buckets must be named: an open list would let any token write anywhere.
  .refine((env) => env.TENANTS || env.TENANTS_FILE || env.ALLOWED_BUCKETS.length > 0, {
    message: "set ALLOWED_BUCKETS (the buckets callers may use), or TENANTS / TENANTS_FILE",
    path: ["ALLOWED_BUCKETS"],
  });

export type Config = z.infer<typeof configSchema>;

/** What an API process's RSS may reach at most: its own ~150 MB plus ~4 bytes per in-flight body byte. */
export function inFlightMemoryBudget(maxInFlightBytes: number): number {
  return 150 * 1_000_000 + 4 * maxInFlightBytes;
}

/** Parses the environment or throws one error listing every bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  return parseEnv(configSchema, env, "API");
}
