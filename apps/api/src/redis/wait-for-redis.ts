/**
 * Start-up waits for Redis as long as it takes (containers start in any order, and ioredis reconnects
 * forever), but says so: every few seconds it logs what it waits for, so a start that never completes
 * is visibly stuck on Redis rather than silent.
 */
import type { Cluster, Redis } from "ioredis";

export interface WaitForRedisOptions {
  /** Where the connection goes; logged without its password. */
  url: string;
  log: (fields: Record<string, unknown>, message: string) => void;
  /** Often enough to show in the first lines of a container's log, rarely enough not to flood it. */
  intervalMs?: number;
}

export async function waitForRedis(
  redis: Pick<Redis | Cluster, "status" | "once">,
  options: WaitForRedisOptions,
): Promise<void> {
  if (redis.status === "ready") return;
  const started = Date.now();
  const timer = setInterval(() => {
    const waitedSeconds = Math.round((Date.now() - started) / 1000);
    options.log(
      { redis: redactPassword(options.url), status: redis.status, waitedSeconds },
      "waiting for Redis to accept connections",
    );
  }, options.intervalMs ?? 5_000);
  try {
    await new Promise<void>((resolve) => redis.once("ready", () => resolve()));
  } finally {
    clearInterval(timer);
  }
}

/** The URL with its password (if any) replaced, so logs never hold a credential. */
export function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable REDIS_URL)";
  }
}
