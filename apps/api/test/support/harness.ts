/**
 * Test harness: the real app over a real Redis queue with its own prefix, plus helpers to sign
 * tokens and build bodies. Each harness cleans up every key under its prefix.
 */
import { Writable } from "node:stream";
import { Worker, type Processor, type Queue } from "bullmq";
import { Redis } from "ioredis";
import type { FastifyInstance } from "fastify";
import { JOBS, type IndexFacesJob, type IndexFacesOutcome } from "@faceindex/contracts";
import { facePhoto, uniqueName } from "@faceindex/testing";
import { createInFlightLimit, type InFlightLimit } from "../../src/admission/in-flight-limit.ts";
import { createMemoryGuard } from "../../src/admission/memory-guard.ts";
import { buildApp, type AppDeps } from "../../src/app.ts";
import type { AccessPolicy } from "../../src/auth/access-policy.ts";
import { createTokenVerifier } from "../../src/auth/token-verifier.ts";
import { signDevToken } from "@faceindex/dev-token";
import type { Lanes } from "../../src/jobs/lanes.ts";
import type { JobWaiter, JobWaiterDeps } from "../../src/jobs/wait/job-waiter.ts";
import { registerQueueGauges } from "../../src/metrics/queue-gauges.ts";
import type { MetricsRegistry } from "../../src/metrics/registry.ts";
import { singleTenantAccess } from "./access.ts";
import { noLimit, openTestLanes } from "./test-lanes.ts";

export const TEST_SECRET = "test-secret-that-is-at-least-32-bytes-long!";

/** A token for `subject` with every scope (signDevToken's default); narrower ones via `options`. */
export function devToken(
  subject = "kyc-user-1",
  options: { scopes?: readonly string[]; tenant?: string } = {},
): Promise<string> {
  return signDevToken(TEST_SECRET, { subject, expiresIn: "10m", ...options });
}

export const obamaJpeg = facePhoto("same/obama_1.jpg");

export function validBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    image: obamaJpeg.toString("base64"),
    bucket: "kyc-faces",
    image_key: "customers/42/selfie.jpg",
    external_image_id: "customer-42",
    ...overrides,
  };
}

/** What a client does: POST a JSON body with a Bearer token for `subject`, plus any headers. */
export async function postJson(
  app: Pick<FastifyInstance, "inject">,
  url: string,
  body: unknown,
  options: { headers?: Record<string, string>; subject?: string } = {},
) {
  return app.inject({
    method: "POST",
    url,
    headers: {
      authorization: `Bearer ${await devToken(options.subject)}`,
      "content-type": "application/json",
      ...options.headers,
    },
    payload: JSON.stringify(body),
  });
}

/** GET /jobs/:id as `subject` (the default test subject unless given). */
export async function getJob(app: Pick<FastifyInstance, "inject">, id: string, subject?: string) {
  return app.inject({
    method: "GET",
    url: `/jobs/${id}`,
    headers: { authorization: `Bearer ${await devToken(subject)}` },
  });
}

export interface Harness {
  app: FastifyInstance;
  /** The index-faces queue (the other kinds' lanes are open too, as in main.ts). */
  queue: Queue;
  commands: Redis;
  prefix: string;
  /** The index-faces lane's waiter. */
  waiter: Pick<JobWaiter, "wait">;
  lanes: Lanes;
  /** The cap on requests holding an image: maxInFlight when given, else none. */
  inFlight: InFlightLimit;
  logs: () => string;
  /** Starts a BullMQ worker on this harness's queue; closed by close(). */
  startWorker(process: Processor<IndexFacesJob, IndexFacesOutcome>): Promise<Worker>;
  close(): Promise<void>;
}

export async function createHarness(
  redisUrl: string,
  options: Partial<Pick<AppDeps, "syncTimeoutMs" | "maxImageBytes" | "logLevel">> & {
    /** Replace the QueueEvents feed, e.g. with one that never fires, to test the polling fallback. */
    events?: JobWaiterDeps["events"];
    /** Turns on back-pressure: new jobs are refused while more than this many wait. */
    maxBacklog?: number;
    /** Turns on the memory guard: new images are refused above this share of Redis's maxmemory. */
    memoryHighWater?: number;
    /** Turns on the cap on requests holding an image. */
    maxInFlight?: number;
    /** Turns on metrics, wired as main.ts does: the app's HTTP and outcome metrics, and this queue's gauges. */
    metrics?: MetricsRegistry;
    /** Tenants, scopes and buckets; single-tenant over TEST_BUCKETS unless given. */
    access?: AccessPolicy;
  } = {},
): Promise<Harness> {
  const prefix = `{${uniqueName("api-test")}}`;
  const lanes = await openTestLanes(redisUrl, prefix, {
    pollIntervalMs: 200,
    ...(options.maxBacklog === undefined ? {} : { maxBacklog: options.maxBacklog }),
    ...(options.events ? { events: { index: options.events } } : {}),
  });
  const { commands, opened } = lanes;
  const queue = opened.queues.index;
  const inFlight = createInFlightLimit({ max: options.maxInFlight ?? Infinity });
  if (options.metrics) registerQueueGauges(options.metrics, { redis: commands, queues: Object.values(opened.queues) });
  let logText = "";
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logText += chunk.toString();
      done();
    },
  });
  const app = buildApp({
    redis: commands,
    lanes: opened.lanes,
    prefix,
    // The collection the outcomes of support/outcomes.ts name.
    access: options.access ?? singleTenantAccess("test-collection"),
    memory:
      options.memoryHighWater === undefined
        ? noLimit
        : createMemoryGuard({ redis: commands, highWater: options.memoryHighWater, cacheMs: 0 }),
    inFlight,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    verifyToken: createTokenVerifier({ secret: TEST_SECRET }),
    maxImageBytes: options.maxImageBytes ?? 15 * 1024 * 1024,
    syncTimeoutMs: options.syncTimeoutMs ?? 20_000,
    logLevel: options.logLevel ?? "info",
    logStream,
  });
  const workers: Worker[] = [];
  const workerConnections: Redis[] = [];

  return {
    app,
    queue,
    commands,
    prefix,
    waiter: opened.lanes.index.waiter,
    lanes: opened.lanes,
    inFlight,
    logs: () => logText,
    async startWorker(process) {
      const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
      workerConnections.push(connection);
      const worker = new Worker<IndexFacesJob, IndexFacesOutcome>(JOBS.index.queueName, process, {
        connection,
        prefix,
      });
      workers.push(worker);
      await worker.waitUntilReady();
      return worker;
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
      await app.close();
      for (const kindQueue of Object.values(opened.queues)) await kindQueue.obliterate({ force: true });
      const leftovers = await commands.keys(`${prefix}*`);
      if (leftovers.length > 0) await commands.del(...leftovers);
      await lanes.close();
      for (const connection of workerConnections) connection.disconnect();
    },
  };
}
