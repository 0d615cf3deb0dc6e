/**
 * Test and load knobs under /_local/, apart from AWS's API: readiness and fault injection.
 * Bodies are JSON; a bad fault answers 400 with what is wrong.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { FaultRegistry } from "./faults.ts";

const faultSchema = z
  .object({
    operation: z.string().min(1),
    count: z.number().int().min(1).default(1),
    code: z.string().min(1).optional(),
    status: z.number().int().min(400).max(599).optional(),
    message: z.string().optional(),
    // A minute is longer than any client timeout worth testing; more would only pin connections.
    latencyMs: z.number().int().min(0).max(60_000).optional(),
  })
  .refine((fault) => fault.code !== undefined || fault.latencyMs !== undefined, {
    message: "a fault needs a code (to fail) and/or latencyMs (to delay)",
  });

export interface LocalRoutesDeps {
  faults: FaultRegistry;
  health: () => object;
}

export function registerLocalRoutes(app: FastifyInstance, deps: LocalRoutesDeps): void {
  app.get("/_local/health", async () => ({ status: "ok", ...deps.health() }));
  app.get("/_local/faults", async () => ({ faults: deps.faults.list() }));
  app.delete("/_local/faults", async () => {
    deps.faults.clear();
    return { faults: [] };
  });
  app.post("/_local/faults", async (request, reply) => {
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
