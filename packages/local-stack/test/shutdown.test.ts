/**
 * `pnpm start` stopped the ordinary ways (SIGTERM from a process manager, SIGINT from Ctrl-C): it stops
 * every child, exits 0, and leaves nothing running.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { descendants, isRunning, killPnpmStart, startPnpmStart, until, type PnpmStart } from "./pnpm-start.ts";

let started: PnpmStart | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await killPnpmStart(started);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("pnpm start stopped with a signal", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "stops every child on %s and exits 0",
    async (signal) => {
      dataDir = mkdtempSync(join(tmpdir(), "faceindex-shutdown-"));
      started = await startPnpmStart(dataDir);
      // redis-server, its reaper, S3, Rekognition, worker, API. Waited for, not read once: a CI run saw 5 of them
      // the moment "running" was printed, when another test's stack held the worker's port (each stack under test
      // has its own ports now, pnpm-start.ts); a child the supervisor is restarting is missing for a moment too.
      const all = () => descendants(started!.process.pid!);
      await until(() => all().length >= 6, "the six children of the stack", 30_000, started);
      const pids = all();
      const exited = new Promise<number | null>((resolve) => started!.process.once("exit", (code) => resolve(code)));

      started.process.kill(signal);

      expect(await exited).toBe(0);
      await until(() => pids.every((pid) => !isRunning(pid)), "every child to exit", 30_000, started);
      expect(pids.filter(isRunning)).toEqual([]);
    },
    240_000,
  );
});
