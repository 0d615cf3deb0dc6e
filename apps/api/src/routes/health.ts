/** Liveness and readiness probes; no auth, so orchestrators can call them. */
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import { withTimeout } from "../http/with-timeout.ts";

// A probe must answer well inside the orchestrator's own probe timeout (typically 1-5 s).
const PING_TIMEOUT_MS = 1_000;

export function registerHealthRoutes(app: FastifyInstance, redis: Pick<Redis, "ping">): void {
  app.get("/healthz", async () => ({ status: "ok" }));

  app.get("/readyz", async (request, reply) => {
    try {
      await withTimeout(redis.ping(), PING_TIMEOUT_MS);
      return { status: "ok" };
    } catch (error) {
      request.log.warn({ err: error }, "redis not ready");
      return reply.status(503).send({ status: "unavailable", msg: "Redis is not reachable" });
    }
  });
}
