/**
 * Test harness for the gallery routes: the real app with the real lanes (opened by openLanes, as
 * main.ts does) under their own prefix, plus BullMQ workers started by the test that return chosen
 * outcomes. Cleans up every key under its prefix.
 */
import { Worker, type Processor, type Queue } from "bullmq";
import type { AccessPolicy } from "../../src/auth/access-policy.ts";
import { singleTenantAccess } from "./access.ts";
import { Redis } from "ioredis";
import type { FastifyInstance } from "fastify";
import {
  JOBS,
  type DeleteFacesJob,
  type DeleteFacesOutcome,
  type JobKind,
  type SearchFacesJob,
  type SearchFacesOutcome,
} from "@faceindex/contracts";
import { uniqueName } from "@faceindex/testing";
import { createInFlightLimit } from "../../src/admission/in-flight-limit.ts";
import { buildApp } from "../../src/app.ts";
import { createTokenVerifier } from "../../src/auth/token-verifier.ts";
import { TEST_SECRET } from "./harness.ts";
import { noLimit, openTestLanes } from "./test-lanes.ts";

export interface GalleryHarness {
  app: FastifyInstance;
  commands: Redis;
  prefix: string;
  /** Every kind's queue, as the lanes opened them. */
  queues: Record<JobKind, Queue>;
  startDeleteWorker(process: Processor<DeleteFacesJob, DeleteFacesOutcome>): Promise<Worker>;
  startSearchWorker(process: Processor<SearchFacesJob, SearchFacesOutcome>): Promise<Worker>;
  close(): Promise<void>;
}

export async function createGalleryHarness(
  redisUrl: string,
  options: {
    syncTimeoutMs?: number;
    /** Turns on back-pressure: new jobs are refused while more than this many wait in a queue. */
    maxBacklog?: number;
    /** Tenants, scopes and buckets; single-tenant over TEST_BUCKETS unless given. */
    access?: AccessPolicy;
  } = {},
): Promise<GalleryHarness> {
  const prefix = `{${uniqueName("gallery-api-test")}}`;
  const lanes = await openTestLanes(
    redisUrl,
    prefix,
    options.maxBacklog === undefined ? {} : { maxBacklog: options.maxBacklog },
  );
  const { commands, opened } = lanes;
  const app = buildApp({
    redis: commands,
    lanes: opened.lanes,
    prefix,
    access: options.access ?? singleTenantAccess("test-collection"),
    verifyToken: createTokenVerifier({ secret: TEST_SECRET }),
    maxImageBytes: 15 * 1024 * 1024,
    syncTimeoutMs: options.syncTimeoutMs ?? 20_000,
    memory: noLimit,
    inFlight: createInFlightLimit({ max: Infinity }),
    logLevel: "silent",
  });
  const workers: Worker[] = [];
  const workerConnections: Redis[] = [];
  async function startWorker<J, O>(name: string, process: Processor<J, O>): Promise<Worker> {
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    workerConnections.push(connection);
    const worker = new Worker<J, O>(name, process, { connection, prefix });
    workers.push(worker);
    await worker.waitUntilReady();
    return worker;
  }

  return {
    app,
    commands,
    prefix,
    queues: opened.queues,
    startDeleteWorker: (process) => startWorker(JOBS.delete.queueName, process),
    startSearchWorker: (process) => startWorker(JOBS.search.queueName, process),
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
      await app.close();
      const leftovers = await commands.keys(`${prefix}*`);
      if (leftovers.length > 0) await commands.del(...leftovers);
      await lanes.close();
      for (const connection of workerConnections) connection.disconnect();
    },
  };
}
