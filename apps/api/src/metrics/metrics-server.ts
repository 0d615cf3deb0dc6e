/**
 * GET /metrics on a listener of its own (METRICS_HOST:METRICS_PORT), so the metrics are never served
 * with the public API and a scraper needs no token.
 */
import Fastify, { type FastifyInstance } from "fastify";
import { EXPOSITION_CONTENT_TYPE } from "./exposition.ts";
import type { MetricsRegistry } from "./registry.ts";

export function buildMetricsServer(registry: Pick<MetricsRegistry, "render">): FastifyInstance {
  // No request logs: a scrape every few seconds would drown the API's own.
  const server = Fastify({ logger: false });
  server.get("/metrics", async (_request, reply) => reply.type(EXPOSITION_CONTENT_TYPE).send(await registry.render()));
  return server;
}
