/**
 * One measured row of one path: a closed-loop load whose measured window starts after a warm-up, with the CPU
 * of each process of the path read as the window opens and closes. Requests served in the window are counted
 * at the stand-in (one IndexFaces per request): in the steady state the work in flight at the two edges
 * evens out, so CPU over the window / requests served in it is the cost of one request.
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
  /** The processes whose CPU is measured, by name. */
  pids: Record<string, number>;
}

export interface RowResult {
  load: ClosedLoopResult;
  /** Requests the path completed in the window (IndexFaces calls at the stand-in). */
  served: number;
  /** CPU milliseconds per served request, by process name. */
  cpuMsPerRequest: Record<string, number>;
}

// After the load stops, in-flight requests finish within seconds; a stuck one must not hang the bench.
const QUIET_TIMEOUT_MS = 30_000;

export async function measureRow(options: RowOptions): Promise<RowResult> {
  // The previous row's last requests are done before this one starts.
  await waitUntilQuiet(options.standInUrl, QUIET_TIMEOUT_MS);
  let cpuBefore: Record<string, number> = {};
  let cpu: Record<string, number> = {};
  let servedBefore = 0;
  let served = 0;
  const load = await runClosedLoop({
    url: options.url,
    token: options.token,
    connections: options.clients,
    warmupSeconds: options.warmupSeconds,
    durationSeconds: options.durationSeconds,
    body: options.body,
    atWindowStart: async () => {
      cpuBefore = cpuSnapshot(options.pids);
      servedBefore = (await readStandInStats(options.standInUrl)).indexFaces;
    },
    atWindowEnd: async () => {
      cpu = cpuSince(cpuBefore, options.pids);
      served = (await readStandInStats(options.standInUrl)).indexFaces - servedBefore;
    },
  });
  const perRequest = Object.fromEntries(Object.entries(cpu).map(([name, ms]) => [name, ms / Math.max(1, served)]));
  return { load, served, cpuMsPerRequest: perRequest };
}
