/**
 * The quota scenario of issue 11: the local Rekognition server limited to 50 IndexFaces per second, two workers
 * x 16, and an open-loop load above the quota (80/s) and below it (45/s) for 30 s each. Prints goodput,
 * throttled IndexFaces calls, latency of the 200s, and how the refusals (503) and timeouts (504) were answered.
 */
import { makeBenchImage } from "../bench-images.ts";
import { markdownTable } from "../markdown-table.ts";
import { percentile, sortedCopy } from "../load/percentiles.ts";
import { runOpenLoop, type OpenLoopAnswer } from "../load/open-loop.ts";
import { bodyFactory } from "../load/request-body.ts";
import type { BenchRedis } from "../processes/bench-redis.ts";
import { kb } from "../pipeline/pipeline-table.ts";
import { startQuotaStack } from "./quota-stack.ts";

export interface QuotaBenchOptions {
  quotaRates: number[];
  quotaSeconds: number;
}

// AWS's default IndexFaces quota in the large regions, and the setting.
const TPS_LIMIT = 50;
const WORKERS = 2;
const WORKER_CONCURRENCY = 16;
// The load-test engine's default delay per image.
const ENGINE_LATENCY_MS = 50;
// Longer than the API's 30 s sync timeout, so every request gets the API's own answer (a 504 at worst).
const CLIENT_TIMEOUT_MS = 40_000;
// Jobs answered 504 keep running; the next rate starts once they are done (bounded: a stuck job fails the bench).
const IDLE_TIMEOUT_MS = 120_000;
// Ample for a pipe on one machine to deliver the lines already written.
const LOG_DRAIN_MS = 500;
// A short trickle first, so the first measured second does not pay for cold code paths.
const WARMUP = { ratePerSecond: 10, durationSeconds: 2 };

export async function runQuotaBench(redis: BenchRedis, options: QuotaBenchOptions): Promise<void> {
  const image = await makeBenchImage("100kb");
  const stack = await startQuotaStack(redis, {
    tpsLimit: TPS_LIMIT,
    workers: WORKERS,
    workerConcurrency: WORKER_CONCURRENCY,
    engineLatencyMs: ENGINE_LATENCY_MS,
  });
  const rows: string[][] = [];
  try {
    const load = (label: string, ratePerSecond: number, durationSeconds: number) =>
      runOpenLoop({
        url: `${stack.apiUrl}/index_faces`,
        token: stack.token,
        ratePerSecond,
        durationSeconds,
        timeoutMs: CLIENT_TIMEOUT_MS,
        body: bodyFactory(image.bytes, stack.bucket, label),
      });
    await load("quota-warmup", WARMUP.ratePerSecond, WARMUP.durationSeconds);
    await stack.waitUntilIdle(IDLE_TIMEOUT_MS);
    console.log(
      `\nquota: local Rekognition (load-test engine ${ENGINE_LATENCY_MS} ms, REKOGNITION_TPS_LIMIT=${TPS_LIMIT}), ` +
        `${WORKERS} workers x ${WORKER_CONCURRENCY}, ${kb(image.bytes.length)} image, open loop for ${options.quotaSeconds} s`,
    );
    for (const rate of options.quotaRates) {
      const before = stack.rekognitionCalls.counts("IndexFaces");
      const answers = await load(`quota-${rate}`, rate, options.quotaSeconds);
      await stack.waitUntilIdle(IDLE_TIMEOUT_MS);
      // The server's last log lines are still in the pipe for a moment after its last answer.
      await new Promise((resolve) => setTimeout(resolve, LOG_DRAIN_MS));
      const after = stack.rekognitionCalls.counts("IndexFaces");
      const calls = after.calls - before.calls;
      const throttled = after.throttled - before.throttled;
      rows.push(quotaRow(rate, answers, calls, throttled));
      const late = sortedCopy(answers.map((answer) => answer.lateMs));
      console.log(
        `  ${rate}/s done: ${answers.length} sent (sender late p50 ${percentile(late, 50).toFixed(0)} ms, ` +
          `p99 ${percentile(late, 99).toFixed(0)} ms), IndexFaces calls ${calls}, throttled ${throttled}`,
      );
    }
  } finally {
    await stack.stop();
  }
  const header = [
    "offered",
    "200",
    "goodput (of quota)",
    "p50 / p99 of 200s ms",
    "503: count, p50 / p99 / max ms, with Retry-After",
    "504",
    "other",
    "throttled IndexFaces (of calls)",
  ];
  console.log("\n" + markdownTable(header, rows) + "\n");
}

function quotaRow(rate: number, answers: OpenLoopAnswer[], calls: number, throttled: number): string[] {
  const ok = answers.filter((answer) => answer.status === 200);
  const refused = answers.filter((answer) => answer.status === 503);
  const timedOut = answers.filter((answer) => answer.status === 504).length;
  const others = new Map<string, number>();
  for (const { status, failure } of answers) {
    if (status === 200 || status === 503 || status === 504) continue;
    const label =
      failure === "timeout"
        ? `no answer in ${CLIENT_TIMEOUT_MS / 1000} s`
        : failure === "connection"
          ? "connection error"
          : String(status);
    others.set(label, (others.get(label) ?? 0) + 1);
  }
  // Successes per second from the first request until the last success: the rate the quota was turned into answers.
  const lastOk = Math.max(...ok.map((answer) => answer.answeredAt));
  const goodput = ok.length === 0 ? 0 : ok.length / (lastOk / 1000);
  const okMs = sortedCopy(ok.map((answer) => answer.ms));
  const refusedMs = sortedCopy(refused.map((answer) => answer.ms));
  const withRetryAfter = refused.filter((answer) => answer.retryAfter !== undefined).length;
  return [
    `${rate}/s x ${answers.length}`,
    String(ok.length),
    `${goodput.toFixed(1)}/s (${((goodput / TPS_LIMIT) * 100).toFixed(0)}%)`,
    ok.length ? `${percentile(okMs, 50).toFixed(0)} / ${percentile(okMs, 99).toFixed(0)}` : "-",
    refused.length
      ? `${refused.length}, ${percentile(refusedMs, 50).toFixed(0)} / ${percentile(refusedMs, 99).toFixed(0)} / ${refusedMs.at(-1)!.toFixed(0)}, ${withRetryAfter}`
      : "0",
    String(timedOut),
    others.size ? [...others].map(([label, count]) => `${count} x ${label}`).join(", ") : "0",
    calls ? `${throttled} (${((throttled / calls) * 100).toFixed(1)}%) of ${calls}` : "0 of 0",
  ];
}
