/**
 * The worker's own probes, on WORKER_HEALTH_PORT (main.ts): `GET /healthz` answers 200 while the process
 * runs; `GET /readyz` answers 200 when Redis (where the jobs come from) answers a PING, else 503, and
 * both list the last S3 and Rekognition outcome with its time (dependency-health.ts), so an operator sees
 * which dependency fails without reading logs. node:http rather than Fastify: two fixed GET routes with
 * JSON answers need no framework, and the worker carries no HTTP dependency for them.
 */
import { createServer, type Server } from "node:http";
import type { Redis } from "ioredis";
import type { DependencyHealth } from "./dependency-health.ts";

// A probe must answer well inside the orchestrator's own probe timeout (typically 1-5 s).
const PING_TIMEOUT_MS = 1_000;

export interface HealthServerDeps {
  /** A single Redis or a Cluster: both report "ready" once they can serve commands. */
  redis: { status: string; ping: Redis["ping"] };
  dependencies: Pick<DependencyHealth, "snapshot">;
}

export interface HealthServer {
  /** Where it listens, e.g. http://127.0.0.1:9465. */
  url: string;
  close(): Promise<void>;
}

export async function startHealthServer(deps: HealthServerDeps, host: string, port: number): Promise<HealthServer> {
  const server = createServer((request, response) => {
    const send = (status: number, body: object) => {
      response.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
      response.end(JSON.stringify(body));
    };
    const path = (request.url ?? "").split("?")[0];
    if (request.method !== "GET" && request.method !== "HEAD") return send(405, { msg: "only GET", code: "METHOD" });
    if (path === "/healthz") return send(200, { status: "ok", dependencies: deps.dependencies.snapshot() });
    if (path !== "/readyz") return send(404, { msg: "GET /healthz or /readyz", code: "NOT_FOUND" });
    void redisAnswers(deps.redis).then((up) =>
      send(up ? 200 : 503, {
        status: up ? "ok" : "unavailable",
        redis: up ? "ok" : "unreachable",
        dependencies: deps.dependencies.snapshot(),
      }),
    );
  });
  await listen(server, host, port);
  const address = server.address();
  const bound = typeof address === "object" && address ? address.port : port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${bound}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // A prober's keep-alive connection must not hold the shutdown.
        server.closeAllConnections();
      }),
  };
}

/** True when Redis answers a PING in time; a connection that is not ready (reconnecting) is not asked. */
async function redisAnswers(redis: HealthServerDeps["redis"]): Promise<boolean> {
  if (redis.status !== "ready") return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS)));
  try {
    return await Promise.race([
      redis.ping().then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
