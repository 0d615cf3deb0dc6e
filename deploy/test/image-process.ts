/**
 * Runs an app from a production install the way the image does: the Dockerfile's ENTRYPOINT (its `node` being
 * this Node 24) with the entry point as the command, as a non-root user. As root (CI here runs as root), it
 * drops to `nobody` with setpriv, so the install (owned by root) is read-only to the app, as in the image.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";

/** uid/gid of `nobody`: a user that owns nothing in the install. */
export const UNPRIVILEGED_ID = 65_534;
const runningAsRoot = process.getuid?.() === 0;

export interface ImageProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** SIGTERM, then the exit code (null if it had to be SIGKILLed). */
  stop(): Promise<number | null>;
}

export function startImageProcess(options: {
  entrypoint: string[];
  command: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}): ImageProcess {
  const [program, ...flags] = options.entrypoint;
  if (program !== "node") throw new Error(`ENTRYPOINT must start with node, not ${program}`);
  const argv = [process.execPath, ...flags, ...options.command];
  const dropPrivileges = runningAsRoot
    ? ["setpriv", `--reuid=${UNPRIVILEGED_ID}`, `--regid=${UNPRIVILEGED_ID}`, "--clear-groups"]
    : [];
  const [file, ...args] = [...dropPrivileges, ...argv] as [string, ...string[]];
  // Only what the image's environment would hold: no inherited NODE_OPTIONS or tsx loader from the test run.
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, NODE_ENV: "production", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      // The API drains for up to its sync timeout; these tests hold no request at stop, so 20 s is plenty.
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
      return child.exitCode;
    },
  };
}

/** Polls `url` until it answers 2xx; fails with the process's output if it exits or `timeoutMs` passes. */
export async function waitUntilReady(app: ImageProcess, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (app.child.exitCode !== null) throw new Error(`exited with ${app.child.exitCode}:\n${app.output()}`);
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms:\n${app.output()}`);
}
