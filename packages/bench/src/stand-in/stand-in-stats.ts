/** Reads the stand-in's call counters, and waits on them: how a row knows what was served and when work has stopped. */
import type { StandInStats } from "./stand-in-server.ts";

export async function readStandInStats(standInUrl: string): Promise<StandInStats> {
  const response = await fetch(`${standInUrl}/_stats`);
  return (await response.json()) as StandInStats;
}

// Polling period while waiting: short next to a row, long next to one request.
const POLL_MS = 250;

/** Resolves once IndexFaces calls have stopped (no new one for two polls): the last requests of a row are done. */
export async function waitUntilQuiet(standInUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let unchanged = 0;
  while (Date.now() < deadline && unchanged < 2) {
    const { indexFaces } = await readStandInStats(standInUrl);
    unchanged = indexFaces === last ? unchanged + 1 : 0;
    last = indexFaces;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Resolves once the stand-in has been called `operation` at least once (the worker created its collection). */
export async function waitForCall(standInUrl: string, operation: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await readStandInStats(standInUrl)).other[operation] === undefined) {
    if (Date.now() > deadline) throw new Error(`the stand-in saw no ${operation} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
