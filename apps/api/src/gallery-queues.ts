/**
 * Opens the delete-faces and search-faces queues for the API: one Queue, one QueueEvents (BullMQ needs a
 * dedicated blocking connection for each), one job waiter and, with back-pressure on, one backlog guard
 * per queue, so a waiter only ever sees the events of its own kind of job. main.ts passes the
 * connections in and closes the result at shutdown.
 */
import { Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { DELETE_FACES_QUEUE, SEARCH_FACES_QUEUE } from "@faceindex/contracts";
import type { BacklogGuard } from "./backlog-guard.ts";
import type { LoadFinishedJobs } from "./finished-jobs.ts";
import { createJobWaiter } from "./job-waiter.ts";
import type { GalleryQueues } from "./routes/gallery.ts";
import type { JobLane } from "./routes/submit-and-wait.ts";

export interface OpenGalleryQueuesDeps {
  /** The API's command connection (fail-fast options), shared by the queues. */
  commands: Redis;
  /** A new connection for one QueueEvents (`maxRetriesPerRequest: null`). */
  eventsConnection: () => Redis;
  prefix: string;
  loadFinishedJobs: (queue: Queue) => LoadFinishedJobs;
  /** Back-pressure on each queue's own backlog: delete and search have workers of their own. */
  backlog?: (queue: Queue) => Pick<BacklogGuard, "check">;
  onError: (error: unknown, what: string) => void;
}

export interface OpenedGalleryQueues {
  queues: GalleryQueues;
  /** The delete and search queues themselves, for what lanes do not expose (queue gauges read their counts). */
  bullQueues: Queue[];
  close(): Promise<void>;
}

export async function openGalleryQueues(deps: OpenGalleryQueuesDeps): Promise<OpenedGalleryQueues> {
  const open = async (name: string): Promise<{ queue: Queue; lane: JobLane; close(): Promise<void> }> => {
    const connection = deps.eventsConnection();
    const queue = new Queue(name, { connection: deps.commands, prefix: deps.prefix });
    const events = new QueueEvents(name, { connection, prefix: deps.prefix });
    queue.on("error", (error) => deps.onError(error, `${name} queue`));
    events.on("error", (error) => deps.onError(error, `${name} queue events`));
    await events.waitUntilReady();
    const waiter = createJobWaiter({
      events,
      loadFinishedJobs: deps.loadFinishedJobs(queue),
      onPollError: (error) => deps.onError(error, `${name} job poll`),
    });
    const backlog = deps.backlog?.(queue);
    return {
      queue,
      lane: { queue, waiter, ...(backlog ? { backlog } : {}) },
      async close() {
        waiter.close();
        await events.close();
        await queue.close();
        connection.disconnect();
      },
    };
  };
  const deleting = await open(DELETE_FACES_QUEUE);
  const searching = await open(SEARCH_FACES_QUEUE);
  return {
    queues: { delete: deleting.lane, search: searching.lane },
    bullQueues: [deleting.queue, searching.queue],
    async close() {
      await Promise.all([deleting.close(), searching.close()]);
    },
  };
}
