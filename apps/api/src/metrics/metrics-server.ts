/**
 * GET /metrics on a listener of its own (METRICS_HOST:METRICS_PORT), so the metrics are never served
 * with the public API and a scraper needs no token.
 */
import Fastify, { type FastifyInstance } from "fastify";
import type { Registry } from "prom-client";

export function buildMetricsServer(registry: Pick<Registry, "metrics" | "contentType">): FastifyInstance {
  // No request logs: a scrape every few seconds would drown the API's own.
  const server = Fastify({ logger: false });
  server.get("/metrics", async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  return server;
}
