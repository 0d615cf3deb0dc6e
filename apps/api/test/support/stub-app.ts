/**
 * The app with hand-written stand-ins for Redis, the lanes and the guards, for fast tests of everything
 * that happens before a job is enqueued (auth, parsing, validation). The real queue path is tested in
 * index-faces-queue.test.ts and gallery-routes.test.ts.
 */
import type { FastifyInstance } from "fastify";
import { JOB_KINDS, type JobKind } from "@faceindex/contracts";
import { createInFlightLimit } from "../../src/admission/in-flight-limit.ts";
import { buildApp, type AppDeps } from "../../src/app.ts";
import { createTokenVerifier } from "../../src/auth/token-verifier.ts";
import type { Lane, Lanes } from "../../src/jobs/lanes.ts";
import { singleTenantAccess } from "./access.ts";
import { TEST_SECRET } from "./harness.ts";
import { noLimit } from "./test-lanes.ts";

export interface StubApp {
  app: FastifyInstance;
  /** Jobs that reached a stub queue; validation tests expect none. */
  enqueued: unknown[];
}

/** A lane on `queue` whose waiter never hears back (the request is refused, or times out, before it matters). */
export function stubLane(kind: JobKind, queue: Lane["queue"]): Lane {
  return { kind, queue, waiter: { wait: async () => ({ status: "timeout" }) }, backlog: noLimit };
}

export function buildStubApp(overrides: Partial<Omit<AppDeps, "lanes">> & { lanes?: Partial<Lanes> } = {}): StubApp {
  const enqueued: unknown[] = [];
  const recording: Lane["queue"] = {
    getJob: async () => undefined,
    add: async (_name: string, data: unknown) => {
      enqueued.push(data);
      return {} as never;
    },
  };
  const lanes = Object.fromEntries(JOB_KINDS.map((kind) => [kind, stubLane(kind, recording)])) as Record<JobKind, Lane>;
  const app = buildApp({
    redis: {
      set: async () => "OK",
      get: async () => null,
      del: async () => 1,
      ping: async () => "PONG",
      hexists: async () => 1,
      hmget: async () => [],
      xrevrange: async () => [],
    },
    prefix: "{stub}",
    access: singleTenantAccess("stub-collection"),
    verifyToken: createTokenVerifier({ secret: TEST_SECRET }),
    maxImageBytes: 15 * 1024 * 1024,
    syncTimeoutMs: 1_000,
    memory: noLimit,
    inFlight: createInFlightLimit({ max: Infinity }),
    logLevel: "silent",
    ...overrides,
    lanes: { ...lanes, ...overrides.lanes },
  });
  return { app, enqueued };
}
