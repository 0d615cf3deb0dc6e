/**
 * The app with hand-written stand-ins for Redis and the queue, for fast tests of everything that
 * happens before a job is enqueued (auth, parsing, validation). The real queue path is tested in
 * index-faces-queue.test.ts.
 */
import type { FastifyInstance } from "fastify";
import { buildApp, type AppDeps } from "../../src/app.ts";
import { createTokenVerifier } from "../../src/token-verifier.ts";
import { TEST_SECRET } from "./harness.ts";

export interface StubApp {
  app: FastifyInstance;
  /** Jobs that reached the queue; validation tests expect none. */
  enqueued: unknown[];
}

export function buildStubApp(overrides: Partial<AppDeps> = {}): StubApp {
  const enqueued: unknown[] = [];
  const app = buildApp({
    redis: {
      set: async () => "OK",
      get: async () => null,
      del: async () => 1,
      ping: async () => "PONG",
      hexists: async () => 1,
      hmget: async () => [],
    },
    queue: {
      getJob: async () => undefined,
      add: async (_name: string, data: unknown) => {
        enqueued.push(data);
        return {} as never;
      },
    },
    waiter: { wait: async () => ({ status: "timeout" }) },
    prefix: "{stub}",
    collectionId: "stub-collection",
    verifyToken: createTokenVerifier({ secret: TEST_SECRET }),
    maxImageBytes: 15 * 1024 * 1024,
    syncTimeoutMs: 1_000,
    logLevel: "silent",
    ...overrides,
  });
  return { app, enqueued };
}
