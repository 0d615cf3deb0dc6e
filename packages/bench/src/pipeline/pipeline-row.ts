/**
 * One measured row of one path: a warm-up at the row's concurrency, then the fixed-duration load, with the CPU of
 * each process of the path read before it and after its last request is done. Requests served are counted at
 * the stand-in (one IndexFaces per request), so work still in flight when the load stopped is counted too.
 */
import { cpuSince, cpuSnapshot } from "../processes/process-cpu.ts";
import { runClosedLoop, type ClosedLoopResult } from "../load/closed-loop.ts";
import type { BodyFactory } from "../load/request-body.ts";
import { readStandInStats, waitUntilQuiet } from "../stand-in/stand-in-stats.ts";

export interface RowOptions {
  url: string;
  token: string;
  clients: number;
  durationSeconds: number;
  warmupSeconds: number;
  body: BodyFactory;
  standInUrl: string;
  /** The processes whose CPU is this path's, by name. */
  pids: Record<string, number>;
}

export interface RowResult {
  load: ClosedLoopResult;
  /** Requests the path completed during the row (IndexFaces calls at the stand-in). */
  served: number;
  /** CPU milliseconds per served request, by process name. */
  cpuMsPerRequest: Record<string, number>;
}

// After the load stops, in-flight requests finish within a second; a stuck one must not hang the bench.
const QUIET_TIMEOUT_MS = 30_000;

export async function measureRow(options: RowOptions): Promise<RowResult> {
  const load = (durationSeconds: number) =>
    runClosedLoop({
      url: options.url,
      token: options.token,
      connections: options.clients,
      durationSeconds,
      body: options.body,
    });
  if (options.warmupSeconds > 0) await load(options.warmupSeconds);
  await waitUntilQuiet(options.standInUrl, QUIET_TIMEOUT_MS);
  const before = cpuSnapshot(options.pids);
  const { indexFaces: servedBefore } = await readStandInStats(options.standInUrl);
  const result = await load(options.durationSeconds);
  await waitUntilQuiet(options.standInUrl, QUIET_TIMEOUT_MS);
  const cpu = cpuSince(before, options.pids);
  const served = (await readStandInStats(options.standInUrl)).indexFaces - servedBefore;
  const perRequest = Object.fromEntries(Object.entries(cpu).map(([name, ms]) => [name, ms / Math.max(1, served)]));
  return { load: result, served, cpuMsPerRequest: perRequest };
}
