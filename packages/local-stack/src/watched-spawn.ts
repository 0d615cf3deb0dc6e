/**
 * Spawns the local stack's children so that none outlives the process that started them (see
 * parent-watchdog.ts and redis-reaper.ts): each gets a pipe on fd 3 that closes when this process dies.
 */
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const watchdog = new URL("./parent-watchdog.ts", import.meta.url).href;
const reaper = fileURLToPath(new URL("./redis-reaper.ts", import.meta.url));
const PARENT_PIPE_FD = 3;

export type ChildOutput = "inherit" | "pipe" | "ignore";

/** `node --import tsx <entry>` (an app's TypeScript entry, relative to the repository root), watched. */
export function spawnWatchedNode(entry: string, env: NodeJS.ProcessEnv, output: ChildOutput): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "--import", watchdog, entry], {
    cwd: repoRoot,
    env: { ...env, FACEINDEX_PARENT_PIPE_FD: String(PARENT_PIPE_FD) },
    stdio: ["ignore", output, output, "pipe"] satisfies StdioOptions,
  });
}

/** Starts the reaper that stops `target` (a non-Node child such as redis-server) if this process dies. */
export function reapWhenParentDies(target: ChildProcess): ChildProcess | undefined {
  if (target.pid === undefined) return undefined;
  const child = spawn(process.execPath, [reaper, String(target.pid)], {
    stdio: ["ignore", "ignore", "inherit", "pipe"],
  });
  // The reaper exits by itself once the target is gone; it must not keep this process alive.
  child.unref();
  return child;
}
