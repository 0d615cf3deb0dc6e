/**
 * Test and load knobs under /_local/, apart from AWS's API: readiness and fault injection.
 * Fault injection is a side door (no auth, as nothing here checks signatures), so it is shut unless the
 * server was started with it on (REKOGNITION_FAULTS=on: tests and `pnpm chaos`): off, its routes answer
 * 404. On, a fault must come as `application/json` (415 otherwise: a web page's form can post text/plain
 * cross-origin without a preflight, JSON it cannot) and within the caps below; a bad fault answers 400
 * with what is wrong.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { FaultRegistry } from "./faults.ts";

export const MAX_FAULT_COUNT = 1_000;
export const MAX_FAULT_LATENCY_MS = 30_000;

const faultSchema = z
  .object({
    operation: z.string().min(1),
    // A thousand calls cover any test's burst; 1e9 would leave the server failing long after the test.
    count: z.number().int().min(1).max(MAX_FAULT_COUNT).default(1),
    code: z.string().min(1).optional(),
    status: z.number().int().min(400).max(599).optional(),
    message: z.string().optional(),
    // 30 s is past every client timeout worth testing (the worker's SDK calls give up after 20 s); more
    // would only pin connections.
    latencyMs: z.number().int().min(0).max(MAX_FAULT_LATENCY_MS).optional(),
  })
  .refine((fault) => fault.code !== undefined || fault.latencyMs !== undefined, {
    message: "a fault needs a code (to fail) and/or latencyMs (to delay)",
  });

export interface LocalRoutesDeps {
  faults: FaultRegistry;
  /** Fault injection's routes exist only when true (REKOGNITION_FAULTS=on). */
  faultsEnabled: boolean;
  health: () => object;
}

export function registerLocalRoutes(app: FastifyInstance, deps: LocalRoutesDeps): void {
  app.get("/_local/health", async () => ({ status: "ok", ...deps.health() }));
  if (!deps.faultsEnabled) {
    // The registry stays empty, so no call is ever faulted; the door answers as if it were not there.
    app.all("/_local/faults", async (_request, reply) =>
      reply.status(404).send({ error: "fault injection is off (start the server with REKOGNITION_FAULTS=on)" }),
    );
    return;
  }
  app.get("/_local/faults", async () => ({ faults: deps.faults.list() }));
  app.delete("/_local/faults", async () => {
    deps.faults.clear();
    return { faults: [] };
  });
  app.post("/_local/faults", async (request, reply) => {
    const mediaType = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
    if (mediaType !== "application/json") {
      return reply.status(415).send({ error: "Content-Type must be application/json" });
    }
    let body: unknown;
    try {
      body = JSON.parse(typeof request.body === "string" ? request.body : "");
    } catch {
      return reply.status(400).send({
        error: 'the body must be JSON like {"operation":"IndexFaces","count":2,"code":"ThrottlingException"}',
      });
    }
    const parsed = faultSchema.safeParse(body);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`);
      return reply.status(400).send({ error: problems.join("; ") });
    }
    deps.faults.add(parsed.data);
    return reply.status(201).send({ faults: deps.faults.list() });
  });
}
