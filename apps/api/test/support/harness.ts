/**
 * Test harness: the real app over a real Redis queue with its own prefix, plus helpers to sign
 * tokens and build bodies. Each harness cleans up every key under its prefix.
 */
import { Writable } from "node:stream";
import { Queue, QueueEvents, Worker, type Processor } from "bullmq";
import { Redis } from "ioredis";
import type { FastifyInstance } from "fastify";
import { INDEX_FACES_QUEUE, type IndexFacesJob, type IndexFacesOutcome } from "@faceindex/contracts";
import { facePhoto, uniqueName } from "@faceindex/testing";
import { buildApp, type AppDeps } from "../../src/app.ts";
import { signDevToken } from "../../src/dev-token.ts";
import { createBacklogGuard } from "../../src/backlog-guard.ts";
import { finishedJobsLoader } from "../../src/finished-jobs.ts";
import { createInFlightLimit, type InFlightLimit } from "../../src/in-flight-limit.ts";
import { createJobWaiter, type JobWaiter, type JobWaiterDeps } from "../../src/job-waiter.ts";
import { createMemoryGuard } from "../../src/memory-guard.ts";
import { registerQueueGauges } from "../../src/metrics/queue-gauges.ts";
import type { MetricsRegistry } from "../../src/metrics/registry.ts";
import { createTokenVerifier } from "../../src/token-verifier.ts";

export const TEST_SECRET = "test-secret-that-is-at-least-32-bytes-long!";

export function devToken(subject = "kyc-user-1"): Promise<string> {
  return signDevToken(TEST_SECRET, { subject, expiresIn: "10m" });
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
  queue: Queue;
  commands: Redis;
  prefix: string;
  waiter: JobWaiter;
  /** The cap on requests holding an image, when the harness was given maxInFlight. */
  inFlight?: InFlightLimit;
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
  } = {},
): Promise<Harness> {
  const prefix = `{${uniqueName("api-test")}}`;
  const commands = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const eventsConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(INDEX_FACES_QUEUE, { connection: commands, prefix });
  const queueEvents = new QueueEvents(INDEX_FACES_QUEUE, { connection: eventsConnection, prefix });
  await queueEvents.waitUntilReady();
  const waiter = createJobWaiter({
    events: options.events ?? queueEvents,
    loadFinishedJobs: finishedJobsLoader(commands, queue),
    pollIntervalMs: 200,
  });
  const inFlight = options.maxInFlight === undefined ? undefined : createInFlightLimit({ max: options.maxInFlight });
  if (options.metrics) registerQueueGauges(options.metrics, { redis: commands, queues: [queue] });
  let logText = "";
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logText += chunk.toString();
      done();
    },
  });
  const app = buildApp({
    redis: commands,
    queue,
    waiter,
    prefix,
    // The collection the outcomes of support/outcomes.ts name.
    collectionId: "test-collection",
    ...(options.maxBacklog === undefined
      ? {}
      : { backlog: createBacklogGuard({ queue, maxBacklog: options.maxBacklog, cacheMs: 0 }) }),
    ...(options.memoryHighWater === undefined
      ? {}
      : { memory: createMemoryGuard({ redis: commands, highWater: options.memoryHighWater, cacheMs: 0 }) }),
    ...(inFlight ? { inFlight } : {}),
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
    waiter,
    ...(inFlight ? { inFlight } : {}),
    logs: () => logText,
    async startWorker(process) {
      const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
      workerConnections.push(connection);
      const worker = new Worker<IndexFacesJob, IndexFacesOutcome>(INDEX_FACES_QUEUE, process, { connection, prefix });
      workers.push(worker);
      await worker.waitUntilReady();
      return worker;
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
      await app.close();
      waiter.close();
      await queueEvents.close();
      await queue.obliterate({ force: true });
      await queue.close();
      const leftovers = await commands.keys(`${prefix}*`);
      if (leftovers.length > 0) await commands.del(...leftovers);
      commands.disconnect();
      eventsConnection.disconnect();
      for (const connection of workerConnections) connection.disconnect();
    },
  };
}
