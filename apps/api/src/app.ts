/**
 * buildApp(deps): the Fastify app with its routes and error handling. It never reads process.env
 * nor builds clients: main.ts (or a test) passes them in.
 */
import Fastify, { type FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import type { DestinationStream } from "pino";
import type { QualityGateMode } from "@faceindex/contracts";
import type { InFlightLimit } from "./admission/in-flight-limit.ts";
import type { MemoryGuard } from "./admission/memory-guard.ts";
import type { AccessPolicy } from "./auth/access-policy.ts";
import { registerAuth } from "./auth/request-auth.ts";
import type { VerifyToken } from "./auth/token-verifier.ts";
import { registerApiDocs } from "./docs/api-docs.ts";
import { bodyLimitFor } from "./http/body-limit.ts";
import { registerErrorHandler } from "./http/error-handler.ts";
import { registerJsonBodyParser } from "./http/json-body-parser.ts";
import { loggerOptions } from "./http/logger-options.ts";
import { requestDeadlines } from "./http/request-deadlines.ts";
import { MAX_REQUEST_ID_CHARS, requestIdFor } from "./http/request-id.ts";
import { registerMultipart } from "./input/multipart-body.ts";
import type { Lanes } from "./jobs/lanes.ts";
import { registerHttpMetrics } from "./metrics/http-metrics.ts";
import { createJobOutcomes } from "./metrics/job-outcomes.ts";
import type { MetricsRegistry } from "./metrics/registry.ts";
import { registerAuditRoute } from "./routes/audit.ts";
import { registerGalleryRoutes } from "./routes/gallery.ts";
import { registerHealthRoutes } from "./routes/health.ts";
import { registerIndexFacesRoute } from "./routes/index-faces.ts";
import { registerJobsRoute } from "./routes/jobs.ts";

export interface AppDeps {
  /** The command connection: request ids, parked bytes, the gallery mapping reads, the readiness ping. */
  redis: Pick<Redis, "set" | "get" | "del" | "ping" | "hexists" | "hmget" | "xrevrange">;
  /** One lane per job kind (jobs/lanes.ts). */
  lanes: Lanes;
  /** The queues' key prefix; parked bytes and request ids live under the same one (same cluster slot). */
  prefix: string;
  verifyToken: VerifyToken;
  /** Tenants (with their collections and buckets), the tenant claim and the default scopes (auth/access-policy.ts). */
  access: AccessPolicy;
  maxImageBytes: number;
  /** QUALITY_GATE: the quality gate of an index_faces body that does not choose one; unset = "off". */
  qualityGate?: QualityGateMode;
  syncTimeoutMs: number;
  /** Headers and body must arrive within this (BODY_TIMEOUT_MS); unset, Node's defaults (5 min) hold. */
  bodyTimeoutMs?: number;
  /** Guards Redis's memory before any route parks bytes (one Redis, so one guard for every lane). */
  memory: Pick<MemoryGuard, "check">;
  /** Caps the requests holding an image (MAX_IN_FLIGHT). */
  inFlight: InFlightLimit;
  logLevel: string;
  /** Where logs go (stdout by default); tests pass a stream to read them. */
  logStream?: DestinationStream;
  /** Where the HTTP and job-outcome metrics go (served by main.ts on its own port); absent when metrics are off. */
  metrics?: MetricsRegistry;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    // A slow body is closed at its deadline, freeing its slot (http/request-deadlines.ts).
    ...(deps.bodyTimeoutMs === undefined ? {} : requestDeadlines(deps.bodyTimeoutMs)),
    logger: loggerOptions(deps.logLevel, deps.logStream),
    // Enforced while reading, before JSON parsing, so an oversize body costs no parse.
    bodyLimit: bodyLimitFor(deps.maxImageBytes),
    genReqId: requestIdFor,
    requestIdHeader: false,
    // Above the longest request id (MAX_REQUEST_ID_CHARS), so every id we hand out can be looked up and a longer
    // one gets the route schema's 400 naming request_id rather than Fastify's bare 414 (its default is 100).
    routerOptions: { maxParamLength: 2 * MAX_REQUEST_ID_CHARS },
    ajv: {
      // No type coercion ("5" is not a number here). The schema has no length limits on strings:
      // ajv counts code points, which is slow on a megabyte image; lengths are checked in code.
      customOptions: { coerceTypes: false, allErrors: false },
    },
  });
  // Before any route: the OpenAPI document is collected as routes are declared.
  registerApiDocs(app);

  // Once close() has begun, answers close their connection: a keep-alive socket would otherwise hold
  // shutdown until its idle timeout (72 s), long after the last in-flight request was answered.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onSend", async (request, reply) => {
    void reply.header("x-request-id", request.id);
    if (closing) void reply.header("connection", "close");
  });
  registerErrorHandler(app);
  registerJsonBodyParser(app);
  registerMultipart(app, deps.maxImageBytes);
  if (deps.metrics) registerHttpMetrics(app, deps.metrics);
  const jobOutcomes = deps.metrics ? createJobOutcomes(deps.metrics) : undefined;
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ msg: `${request.method} ${request.url.split("?")[0]} does not exist`, code: "NOT_FOUND" }),
  );
  registerHealthRoutes(app, deps.redis);
  const authorize = registerAuth(app, deps.verifyToken, deps.access);
  const submit = {
    redis: deps.redis,
    prefix: deps.prefix,
    syncTimeoutMs: deps.syncTimeoutMs,
    memory: deps.memory,
    ...(jobOutcomes ? { jobOutcomes } : {}),
  };
  const { inFlight, maxImageBytes, lanes } = deps;
  registerIndexFacesRoute(app, {
    ...submit,
    lane: lanes.index,
    authorize,
    maxImageBytes,
    inFlight,
    defaultQualityGate: deps.qualityGate ?? "off",
  });
  registerGalleryRoutes(app, { ...submit, lanes, authorize, maxImageBytes, inFlight });
  registerJobsRoute(app, { redis: deps.redis, prefix: deps.prefix, authorize, lanes });
  registerAuditRoute(app, { redis: deps.redis, prefix: deps.prefix, authorize });
  return app;
}
