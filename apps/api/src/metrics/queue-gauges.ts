/**
 * Queue depth by state and whether Redis answers, read at scrape time (one getJobCounts per queue) rather
 * than kept current: the workers move jobs, not this process. When Redis does not answer in time, the
 * scrape still succeeds with faceindex_redis_up 0 and no queue series (old counts would mislead).
 */
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { Gauge } from "prom-client";
import { withTimeout } from "../http/with-timeout.ts";
import type { MetricsRegistry } from "./registry.ts";

const STATES = ["waiting", "active", "delayed", "failed", "completed"] as const;

// Well inside Prometheus's default 10 s scrape timeout, so a hung Redis yields redis_up 0, not a failed scrape.
const READ_TIMEOUT_MS = 2_000;

export interface QueueGaugesDeps {
  redis: Pick<Redis, "ping">;
  queues: readonly Pick<Queue, "name" | "getJobCounts">[];
  timeoutMs?: number;
}

type Reading = { name: string; counts: Record<string, number> }[] | undefined;

export function registerQueueGauges(registry: MetricsRegistry, deps: QueueGaugesDeps): void {
  const readAll = async (): Promise<Reading> => {
    try {
      const read = Promise.all([
        deps.redis.ping(),
        ...deps.queues.map(async (queue) => ({ name: queue.name, counts: await queue.getJobCounts(...STATES) })),
      ]);
      const [, ...counted] = await withTimeout(read, deps.timeoutMs ?? READ_TIMEOUT_MS);
      return counted;
    } catch {
      return undefined;
    }
  };
  // prom-client calls both gauges' collect in the same tick of one scrape: they share one read of Redis.
  let pending: Promise<Reading> | undefined;
  const readOnce = (): Promise<Reading> => {
    pending ??= readAll().finally(() => {
      pending = undefined;
    });
    return pending;
  };

  const jobs = new Gauge({
    registers: [registry],
    name: "faceindex_queue_jobs",
    help: "Jobs in each queue by state, read from Redis at scrape time.",
    labelNames: ["queue", "state"],
    async collect() {
      const counted = await readOnce();
      jobs.reset();
      for (const { name, counts } of counted ?? []) {
        for (const state of STATES) jobs.set({ queue: name, state }, counts[state] ?? 0);
      }
    },
  });
  const redisUp = new Gauge({
    registers: [registry],
    name: "faceindex_redis_up",
    help: "1 when Redis answered this scrape's reads in time, else 0.",
    async collect() {
      redisUp.set((await readOnce()) ? 1 : 0);
    },
  });
}
