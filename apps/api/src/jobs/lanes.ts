/**
 * Opens one lane per job kind of the catalog, every kind the same way: a Queue, a QueueEvents (BullMQ
 * needs a dedicated blocking connection for each), a job waiter on that queue's own events (so a
 * waiter only ever sees its kind's jobs) and a backlog guard on that queue's own backlog (each kind has
 * workers of its own). main.ts and the test harnesses pass the connections in and close the result.
 */
import { Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { JOB_KINDS, JOBS, type JobKind } from "@faceindex/contracts";
import type { BacklogGuard } from "../admission/backlog-guard.ts";
import { finishedJobsLoader } from "./wait/finished-jobs.ts";
import { createJobWaiter, type JobWaiter } from "./wait/job-waiter.ts";

/** Where jobs of one kind go and how their outcome comes back. */
export interface Lane {
  kind: JobKind;
  queue: Pick<Queue, "add" | "getJob">;
  waiter: Pick<JobWaiter, "wait">;
  /** Refuses NEW jobs when the kind's backlog is too long; replays of existing jobs are always served. */
  backlog: Pick<BacklogGuard, "check">;
}

export type Lanes = { readonly [Kind in JobKind]: Lane };

export interface OpenLanesDeps {
  /** The API's command connection (fail-fast options), shared by the queues and their finished-job reads. */
  commands: Redis;
  /** A new connection for one QueueEvents (`maxRetriesPerRequest: null`); closed with the lane. */
  eventsConnection: () => Redis;
  prefix: string;
  /** The admission checks of a kind's new jobs, on its queue and its events (completions measure the workers' rate). */
  backlog: (queue: Queue, events: QueueEvents) => Pick<BacklogGuard, "check">;
  onError: (error: unknown, what: string) => void;
  /** How often the waiters re-read overdue jobs (the waiter's default, 1 s, unless given). */
  pollIntervalMs?: number;
  /**
   * What a kind's waiter listens to instead of its QueueEvents; only tests pass it (a feed that drops
   * events, to show the polling fallback answers anyway).
   */
  events?: Partial<Record<JobKind, Pick<QueueEvents, "on" | "off">>>;
}

export interface OpenedLanes {
  lanes: Lanes;
  /** The queues themselves, for what lanes do not expose (queue gauges read their counts, tests their jobs). */
  queues: Record<JobKind, Queue>;
  close(): Promise<void>;
}

export async function openLanes(deps: OpenLanesDeps): Promise<OpenedLanes> {
  const opened = await Promise.all(JOB_KINDS.map((kind) => openLane(kind, deps)));
  const byKind = <T>(pick: (lane: (typeof opened)[number]) => T) =>
    Object.fromEntries(opened.map((lane) => [lane.lane.kind, pick(lane)])) as Record<JobKind, T>;
  return {
    lanes: byKind((lane) => lane.lane),
    queues: byKind((lane) => lane.queue),
    async close() {
      await Promise.all(opened.map((lane) => lane.close()));
    },
  };
}

async function openLane(
  kind: JobKind,
  deps: OpenLanesDeps,
): Promise<{ lane: Lane; queue: Queue; close(): Promise<void> }> {
  const name = JOBS[kind].queueName;
  const connection = deps.eventsConnection();
  const queue = new Queue(name, { connection: deps.commands, prefix: deps.prefix });
  const events = new QueueEvents(name, { connection, prefix: deps.prefix });
  queue.on("error", (error) => deps.onError(error, `${name} queue`));
  events.on("error", (error) => deps.onError(error, `${name} queue events`));
  await events.waitUntilReady();
  const waiter = createJobWaiter({
    events: deps.events?.[kind] ?? events,
    loadFinishedJobs: finishedJobsLoader(deps.commands, queue),
    ...(deps.pollIntervalMs === undefined ? {} : { pollIntervalMs: deps.pollIntervalMs }),
    onPollError: (error) => deps.onError(error, `${name} job poll`),
  });
  return {
    lane: { kind, queue, waiter, backlog: deps.backlog(queue, events) },
    queue,
    async close() {
      waiter.close();
      await events.close();
      await queue.close();
      connection.disconnect();
    },
  };
}
