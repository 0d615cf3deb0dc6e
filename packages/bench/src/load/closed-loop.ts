/**
 * The closed-loop load of a pipeline row: autocannon with N connections, each sending its next request when
 * the previous one is answered. One continuous run: a warm-up, then the measured window, then a short tail, so
 * the window sees the steady state (every connection busy) and neither the ramp-up nor the cut-off at the end.
 * Every request gets its own body (setupRequest); latencies come from autocannon's response events in
 * fractional milliseconds (its own histogram rounds to whole milliseconds, too coarse for a 2 ms p50).
 */
import autocannon from "autocannon";
import type { BodyFactory } from "./request-body.ts";
import { percentile, sortedCopy } from "./percentiles.ts";

export interface ClosedLoopOptions {
  url: string;
  token: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  body: BodyFactory;
  /** Called when the measured window opens and closes (e.g. to read CPU counters); awaited before the result. */
  atWindowStart?: () => unknown;
  atWindowEnd?: () => unknown;
}

export interface ClosedLoopResult {
  /** 2xx answers that arrived inside the window. */
  ok: number;
  /** Answers inside the window by status, 2xx included. */
  statuses: Record<string, number>;
  /** Connection errors and timeouts over the whole run. */
  errors: number;
  okPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

// Far above any answer of a healthy row (the API's own sync timeout is 30 s); a hung request fails the row.
const REQUEST_TIMEOUT_SECONDS = 30;
// The load goes on a moment after the window closes, so the last answers inside it are not cut off.
const TAIL_SECONDS = 0.5;

export function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const hooks: Promise<unknown>[] = [];
  const timers: NodeJS.Timeout[] = [];
  let inWindow = false;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: "POST",
        connections: options.connections,
        duration: options.warmupSeconds + options.durationSeconds + TAIL_SECONDS,
        timeout: REQUEST_TIMEOUT_SECONDS,
        headers: { authorization: `Bearer ${options.token}`, "content-type": "application/json" },
        requests: [{ setupRequest: (request) => ({ ...request, body: options.body() }) }],
      },
      (error, result) => {
        timers.forEach(clearTimeout);
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        Promise.all(hooks).then(() => {
          const sorted = sortedCopy(latencies);
          resolve({
            ok: sorted.length,
            statuses,
            errors: result.errors,
            okPerSecond: sorted.length / options.durationSeconds,
            p50Ms: percentile(sorted, 50),
            p99Ms: percentile(sorted, 99),
          });
        }, reject);
      },
    );
    const at = (seconds: number, open: boolean, hook: (() => unknown) | undefined) =>
      timers.push(
        setTimeout(() => {
          inWindow = open;
          if (hook) hooks.push(Promise.resolve(hook()));
        }, seconds * 1000),
      );
    at(options.warmupSeconds, true, options.atWindowStart);
    at(options.warmupSeconds + options.durationSeconds, false, options.atWindowEnd);
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      if (!inWindow) return;
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}
