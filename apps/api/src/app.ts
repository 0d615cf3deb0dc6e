/**
 * buildApp(deps): the Fastify app with its routes and error handling. It never reads process.env
 * nor builds clients: main.ts (or a test) passes them in.
 */
import Fastify, { type FastifyInstance } from "fastify";
import type { DestinationStream } from "pino";
import { registerErrorHandler } from "./error-handler.ts";
import { createInFlightLimit, type InFlightLimit } from "./in-flight-limit.ts";
import { DELETE_FACES_JOB, INDEX_FACES_JOB, SEARCH_FACES_JOB } from "./job-kinds.ts";
import { loggerOptions } from "./logger-options.ts";
import { registerHttpMetrics } from "./metrics/http-metrics.ts";
import { createJobOutcomes } from "./metrics/job-outcomes.ts";
import type { MetricsRegistry } from "./metrics/registry.ts";
import { requestIdFor } from "./request-id.ts";
import { registerGalleryRoutes, type GalleryQueues } from "./routes/gallery.ts";
import { registerHealthRoutes } from "./routes/health.ts";
import { registerIndexFacesRoute, type IndexFacesRouteDeps } from "./routes/index-faces.ts";
import { registerJobsRoute } from "./routes/jobs.ts";
import type { Redis } from "ioredis";

export interface AppDeps extends Omit<IndexFacesRouteDeps, "inFlight"> {
  redis: Pick<Redis, "set" | "get" | "del" | "ping" | "hexists" | "hmget">;
  logLevel?: string;
  /** Where logs go (stdout by default); tests pass a stream to read them. */
  logStream?: DestinationStream;
  /** The delete and search queues; without them the gallery routes are not registered (tests of index_faces). */
  gallery?: GalleryQueues;
  /** Caps the requests holding an image (MAX_IN_FLIGHT); without it there is no cap (tests). */
  inFlight?: InFlightLimit;
  /** Where the HTTP and job-outcome metrics go (served by main.ts on its own port); without it nothing is counted. */
  metrics?: MetricsRegistry;
}

// Room for the data-URL prefix and the other fields.
const BODY_SLACK_BYTES = 64 * 1024;
// Room for what encoders add inside the base64 itself, which decodeImage accepts: MIME line breaks
// (an escaped "\r\n" per 76 characters is +5.3%) and escaped slashes ("\/", PHP's json_encode: +1.6%).
const BASE64_OVERHEAD = 1.1;

/** The largest request body for an image of maxImageBytes: its base64 size, as encoders write it, plus slack. */
export function bodyLimitFor(maxImageBytes: number): number {
  return Math.ceil(Math.ceil(maxImageBytes / 3) * 4 * BASE64_OVERHEAD) + BODY_SLACK_BYTES;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    logger: loggerOptions(deps.logLevel ?? "info", deps.logStream),
    // Enforced while reading, before JSON parsing, so an oversize body costs no parse.
    bodyLimit: bodyLimitFor(deps.maxImageBytes),
    genReqId: requestIdFor,
    requestIdHeader: false,
    ajv: {
      // No type coercion ("5" is not a number here). The schema has no length limits on strings:
      // ajv counts code points, which is slow on a megabyte image; lengths are checked in code.
      customOptions: { coerceTypes: false, allErrors: false },
    },
  });

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
  if (deps.metrics) registerHttpMetrics(app, deps.metrics);
  const jobOutcomes = deps.metrics ? createJobOutcomes(deps.metrics) : undefined;
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ msg: `${request.method} ${request.url.split("?")[0]} does not exist`, code: "NOT_FOUND" }),
  );
  registerHealthRoutes(app, deps.redis);
  const inFlight = deps.inFlight ?? createInFlightLimit({ max: Infinity });
  registerIndexFacesRoute(app, { ...deps, inFlight, jobOutcomes });
  if (deps.gallery) registerGalleryRoutes(app, { ...deps, inFlight, jobOutcomes, gallery: deps.gallery });
  const lanes = [
    { kind: INDEX_FACES_JOB, queue: deps.queue },
    ...(deps.gallery
      ? [
          { kind: DELETE_FACES_JOB, queue: deps.gallery.delete.queue },
          { kind: SEARCH_FACES_JOB, queue: deps.gallery.search.queue },
        ]
      : []),
  ];
  registerJobsRoute(app, { ...deps, lanes });
  return app;
}
