/**
 * Load and failures as an operator sees them: requests by route pattern and status, their duration, and
 * how many are open now. The route is the pattern (`/jobs/:request_id`), never the raw URL, and every
 * request no route matched shares one label, so a scan of random URLs cannot grow the series.
 */
import type { FastifyInstance } from "fastify";
import { Counter, Gauge, Histogram } from "prom-client";
import type { MetricsRegistry } from "./registry.ts";

/** The route label of requests no route matched (404s). */
export const UNMATCHED_ROUTE = "unmatched";

/**
 * Seconds. Fine below 1 s where answers normally fall, then up to and past the 30 s synchronous wait
 * (SYNC_TIMEOUT_MS): a 504 lands just above 30, so it lands in the 45 s bucket and never among the answers.
 */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 20, 30, 45, 60] as const;

/** Registered before the routes, so the hooks see every request, those refused by a route's own hooks too. */
export function registerHttpMetrics(app: FastifyInstance, registry: MetricsRegistry): void {
  const requests = new Counter({
    registers: [registry],
    name: "faceindex_http_requests_total",
    help: "HTTP answers sent, by route pattern and status code.",
    labelNames: ["route", "status"],
  });
  const duration = new Histogram({
    registers: [registry],
    name: "faceindex_http_request_duration_seconds",
    help: "Time from receiving a request to sending its answer, by route pattern.",
    labelNames: ["route"],
    buckets: [...DURATION_BUCKETS],
  });
  const inFlight = new Gauge({
    registers: [registry],
    name: "faceindex_requests_in_flight",
    help: "HTTP requests received and not yet answered (or abandoned by their client).",
  });

  app.addHook("onRequest", async (_request, reply) => {
    inFlight.inc();
    // "close" fires once whether the answer was sent or the client went away, so the gauge never drifts.
    reply.raw.once("close", () => inFlight.dec());
  });
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    requests.inc({ route, status: String(reply.statusCode) });
    duration.observe({ route }, reply.elapsedTime / 1000);
  });
}
