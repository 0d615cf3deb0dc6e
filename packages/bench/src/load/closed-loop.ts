/**
 * The closed-loop load of a pipeline row: autocannon with N connections, each sending its next request when
 * the previous one is answered, for a fixed duration. Every request gets its own body (setupRequest), and the
 * latencies are collected from autocannon's response events in fractional milliseconds (its own histogram
 * rounds to whole milliseconds, too coarse for a 2 ms p50).
 */
import autocannon from "autocannon";
import type { BodyFactory } from "./request-body.ts";
import { percentile, sortedCopy } from "./percentiles.ts";

export interface ClosedLoopOptions {
  url: string;
  token: string;
  connections: number;
  durationSeconds: number;
  body: BodyFactory;
}

export interface ClosedLoopResult {
  ok: number;
  /** Answers by status, 2xx included. */
  statuses: Record<string, number>;
  /** Connection errors and timeouts. */
  errors: number;
  seconds: number;
  okPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

// Far above any answer of a healthy row (the API's own sync timeout is 30 s); a hung request fails the row.
const REQUEST_TIMEOUT_SECONDS = 30;

export function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: "POST",
        connections: options.connections,
        duration: options.durationSeconds,
        timeout: REQUEST_TIMEOUT_SECONDS,
        headers: { authorization: `Bearer ${options.token}`, "content-type": "application/json" },
        requests: [{ setupRequest: (request) => ({ ...request, body: options.body() }) }],
      },
      (error, result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        const sorted = sortedCopy(latencies);
        resolve({
          ok: sorted.length,
          statuses,
          errors: result.errors,
          seconds: result.duration,
          okPerSecond: sorted.length / result.duration,
          p50Ms: percentile(sorted, 50),
          p99Ms: percentile(sorted, 99),
        });
      },
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}
