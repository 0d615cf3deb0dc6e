/**
 * GET /metrics on the worker's own port (WORKER_METRICS_PORT): the worker has no HTTP API, so this is its
 * only listener; no token, so bind it where only the scraper reaches it.
 */
import Fastify, { type FastifyInstance } from "fastify";
import type { Registry } from "prom-client";

export function buildWorkerMetricsServer(registry: Pick<Registry, "metrics" | "contentType">): FastifyInstance {
  // No request logs: a scrape every few seconds would drown the job logs.
  const server = Fastify({ logger: false });
  server.get("/metrics", async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  return server;
}
