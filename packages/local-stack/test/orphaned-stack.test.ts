/**
 * `pnpm start` killed without its children (a signal to pnpm alone ends pnpm and its shell): the stack
 * notices it has no parent any more and stops itself, children and Redis included, instead of running on
 * as an orphan that holds the ports.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import {
  commandLine,
  descendants,
  isRunning,
  killPnpmStart,
  startPnpmStart,
  until,
  type PnpmStart,
} from "./pnpm-start.ts";

const dataDir = mkdtempSync(join(tmpdir(), "faceindex-orphaned-"));
let started: PnpmStart | undefined;
let stack: number[] = [];

afterAll(async () => {
  for (const pid of stack.filter(isRunning)) process.kill(pid, "SIGKILL");
  await killPnpmStart(started);
  rmSync(dataDir, { recursive: true, force: true });
});

it("stops itself and every child when its parent shell is killed alone", async () => {
  started = await startPnpmStart(dataDir, { underShell: true });
  stack = descendants(started.process.pid!);
  expect(stack.some((pid) => commandLine(pid).includes("local-stack/src/main.ts"))).toBe(true);
  expect(stack.some((pid) => commandLine(pid).includes("redis-server"))).toBe(true);
  started.process.kill("SIGKILL"); // the shell only: main.ts is reparented, not signalled
  await until(() => stack.every((pid) => !isRunning(pid)), "the orphaned stack to stop", 45_000, started);
  expect(started.output()).toContain("its parent (pnpm) exited, stopping");
}, 240_000);
