/**
 * Entry point: reads the environment, builds the Redis clients, queue and token verifier, starts
 * the server, and shuts down gracefully (stop accepting, finish in-flight requests, close clients).
 */
import { readFileSync } from "node:fs";
import { connectRedis, type RedisConnection } from "@faceindex/redis-connection";
import { pino } from "pino";
import { createBacklogGuard } from "./admission/backlog-guard.ts";
import { createWaitGuard } from "./admission/wait-guard.ts";
import { createInFlightLimit } from "./admission/in-flight-limit.ts";
import { createMemoryGuard, readRedisMemory } from "./admission/memory-guard.ts";
import { buildApp } from "./app.ts";
import { accessPolicyFrom } from "./auth/access-config.ts";
import { createTokenVerifier, tokenScopeWarning } from "./auth/token-verifier.ts";
import { parseConfig } from "./config.ts";
import { bodyLimitFor } from "./http/body-limit.ts";
import { openLanes } from "./jobs/lanes.ts";
import { buildMetricsServer } from "./metrics/metrics-server.ts";
import { registerQueueGauges } from "./metrics/queue-gauges.ts";
import { createMetricsRegistry } from "./metrics/registry.ts";
import { waitForRedis } from "./redis/wait-for-redis.ts";

const config = parseConfig(process.env);
// Before any connection: a bad TENANTS stops the API at once, naming the problem.
const access = accessPolicyFrom(config, (path) => readFileSync(path, "utf8"));
const log = pino({ level: config.LOG_LEVEL });

// Requests fail fast when Redis is down (no offline queue, one retry, bounded command time) so an
// outage answers 503 in seconds instead of holding every request until the sync timeout.
const redisTarget = { url: config.REDIS_URL, cluster: config.REDIS_CLUSTER };
const commands = connectRedis(redisTarget, {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  // Long enough to SET a 15 MiB image on a busy Redis, short enough to answer during an outage.
  commandTimeout: 5_000,
  // Reconnect quickly at first, then at most every 2 s, forever: the API should heal by itself.
  retryStrategy: (times) => Math.min(times * 200, 2_000),
});
commands.on("error", (error) => log.warn({ err: error }, "redis (commands) error"));

const scopeWarning = tokenScopeWarning({ issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE });
if (scopeWarning) log.warn(scopeWarning);

await waitForRedis(commands, { url: config.REDIS_URL, log: (fields, message) => log.info(fields, message) });
await checkEvictionPolicy(commands);
await checkMaxMemory(commands);

// One lane per job kind, each with its own events connection: QueueEvents blocks on XREAD, which BullMQ
// requires to retry forever (maxRetriesPerRequest: null).
const opened = await openLanes({
  commands,
  eventsConnection: () => {
    const events = connectRedis(redisTarget, { maxRetriesPerRequest: null });
    events.on("error", (error) => log.warn({ err: error }, "redis (events) error"));
    return events;
  },
  prefix: config.QUEUE_PREFIX,
  backlog: (queue, events) => {
    const counted = createBacklogGuard({ queue, maxBacklog: config.MAX_BACKLOG });
    // A quarter of the sync timeout: an admitted job's answer comes well before its 504, retries included.
    const timed = createWaitGuard({ queue, events, maxWaitMs: config.SYNC_TIMEOUT_MS / 4 });
    return { check: async () => (await counted.check(), await timed.check()) };
  },
  onError: (error, what) => log.warn({ err: error }, `${what} error`),
});

// METRICS_PORT=0 turns metrics off: nothing is counted and no listener opens.
const metrics = config.METRICS_PORT === 0 ? undefined : createMetricsRegistry();
if (metrics) registerQueueGauges(metrics, { redis: commands, queues: Object.values(opened.queues) });

const app = buildApp({
  metrics,
  redis: commands,
  lanes: opened.lanes,
  prefix: config.QUEUE_PREFIX,
  access,
  memory: createMemoryGuard({ redis: commands, highWater: config.REDIS_MEMORY_HIGH_WATER }),
  inFlight: createInFlightLimit({
    max: config.MAX_IN_FLIGHT,
    maxBytes: config.MAX_IN_FLIGHT_BYTES,
    maxPerCaller: config.MAX_IN_FLIGHT_PER_CALLER,
    maxBodyBytes: bodyLimitFor(config.MAX_IMAGE_BYTES),
  }),
  verifyToken: createTokenVerifier({
    secret: config.JWT_SECRET,
    publicKeyPem: config.JWT_PUBLIC_KEY,
    jwksUrl: config.JWT_JWKS_URL,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    maxTokenAgeSeconds: config.JWT_MAX_TOKEN_AGE,
  }),
  maxImageBytes: config.MAX_IMAGE_BYTES,
  qualityGate: config.QUALITY_GATE,
  syncTimeoutMs: config.SYNC_TIMEOUT_MS,
  bodyTimeoutMs: config.BODY_TIMEOUT_MS,
  logLevel: config.LOG_LEVEL,
});

await app.listen({ port: config.PORT, host: config.HOST });
const metricsServer = metrics ? buildMetricsServer(metrics) : undefined;
// Metrics never take the API down: a port already taken (e.g. a second API process on this host without
// its own METRICS_PORT) is logged loudly, and this process serves without them.
await metricsServer?.listen({ port: config.METRICS_PORT, host: config.METRICS_HOST }).catch((error: unknown) => {
  log.error(
    { err: error, port: config.METRICS_PORT },
    "metrics listener could not start; serving without GET /metrics",
  );
});

let shuttingDown = false;
async function shutdown(signal: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  app.log.info({ signal }, "shutting down");
  // In-flight requests may wait up to the sync timeout; past that (plus slack) we stop anyway.
  const force = setTimeout(() => {
    app.log.error("shutdown took too long; exiting");
    process.exit(1);
  }, config.SYNC_TIMEOUT_MS + 5_000);
  force.unref();
  try {
    await app.close(); // stops accepting, waits for in-flight requests
    // Closed after the API, so the drain itself can still be scraped.
    await metricsServer?.close();
    await opened.close();
    commands.disconnect();
    process.exitCode = 0;
  } catch (error) {
    app.log.error({ err: error }, "shutdown failed");
    process.exitCode = 1;
  }
}
process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));

/** BullMQ and the parked images vanish silently under any eviction policy; say so loudly. */
async function checkEvictionPolicy(redis: RedisConnection): Promise<void> {
  try {
    const reply = (await redis.config("GET", "maxmemory-policy")) as string[];
    const policy = reply[1];
    if (policy !== "noeviction") {
      log.warn({ policy }, "Redis maxmemory-policy is not noeviction: jobs and parked images can be evicted");
    }
  } catch (error) {
    // Managed Redis services often disable CONFIG; the check is advice, not a requirement.
    log.warn({ err: error }, "could not read Redis maxmemory-policy; make sure it is noeviction");
  }
}

/** The memory guard compares with maxmemory; without one it cannot protect Redis, so say so once. */
async function checkMaxMemory(redis: RedisConnection): Promise<void> {
  try {
    const { maxBytes } = await readRedisMemory(redis);
    if (maxBytes === 0) {
      log.warn(
        "Redis has no maxmemory: the memory guard (REDIS_MEMORY_HIGH_WATER) is off; set maxmemory in production",
      );
    }
  } catch (error) {
    log.warn({ err: error }, "could not read Redis INFO memory; image requests get 503 while it cannot be read");
  }
}
