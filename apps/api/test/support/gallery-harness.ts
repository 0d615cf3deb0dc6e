/**
 * Test harness for the gallery routes: the real app with the real delete and search queues (opened by
 * openGalleryQueues, as main.ts does) under their own prefix, plus BullMQ workers started by the test
 * that return chosen outcomes. Cleans up every key under its prefix.
 */
import { Queue, Worker, type Processor } from "bullmq";
import { Redis } from "ioredis";
import type { FastifyInstance } from "fastify";
import {
  DELETE_FACES_QUEUE,
  INDEX_FACES_QUEUE,
  SEARCH_FACES_QUEUE,
  type DeleteFacesJob,
  type DeleteFacesOutcome,
  type SearchFacesJob,
  type SearchFacesOutcome,
} from "@faceindex/contracts";
import { uniqueName } from "@faceindex/testing";
import { buildApp } from "../../src/app.ts";
import { createBacklogGuard } from "../../src/backlog-guard.ts";
import { finishedJobsLoader } from "../../src/finished-jobs.ts";
import { openGalleryQueues, type OpenedGalleryQueues } from "../../src/gallery-queues.ts";
import { createTokenVerifier } from "../../src/token-verifier.ts";
import { TEST_SECRET } from "./harness.ts";

export interface GalleryHarness {
  app: FastifyInstance;
  commands: Redis;
  prefix: string;
  gallery: OpenedGalleryQueues;
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
  } = {},
): Promise<GalleryHarness> {
  const prefix = `{${uniqueName("gallery-api-test")}}`;
  const commands = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const eventConnections: Redis[] = [];
  const gallery = await openGalleryQueues({
    commands,
    eventsConnection: () => {
      const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
      eventConnections.push(connection);
      return connection;
    },
    prefix,
    loadFinishedJobs: (queue) => finishedJobsLoader(commands, queue),
    ...(options.maxBacklog === undefined
      ? {}
      : { backlog: (queue: Queue) => createBacklogGuard({ queue, maxBacklog: options.maxBacklog ?? 0, cacheMs: 0 }) }),
    onError: () => {},
  });
  // index_faces is not exercised here; its queue exists only because buildApp registers the route.
  const indexQueue = new Queue(INDEX_FACES_QUEUE, { connection: commands, prefix });
  const app = buildApp({
    redis: commands,
    queue: indexQueue,
    waiter: { wait: async () => ({ status: "timeout" }) },
    gallery: gallery.queues,
    prefix,
    collectionId: "test-collection",
    verifyToken: createTokenVerifier({ secret: TEST_SECRET }),
    maxImageBytes: 15 * 1024 * 1024,
    syncTimeoutMs: options.syncTimeoutMs ?? 20_000,
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
    gallery,
    startDeleteWorker: (process) => startWorker(DELETE_FACES_QUEUE, process),
    startSearchWorker: (process) => startWorker(SEARCH_FACES_QUEUE, process),
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
      await app.close();
      await gallery.close();
      await indexQueue.close();
      const leftovers = await commands.keys(`${prefix}*`);
      if (leftovers.length > 0) await commands.del(...leftovers);
      commands.disconnect();
      for (const connection of [...eventConnections, ...workerConnections]) connection.disconnect();
    },
  };
}
