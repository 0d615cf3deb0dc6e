/**
 * Starts a TypeScript entry (an app's src/main.ts, or one of the bench's own servers) as a child process under
 * tsx with its own environment, and waits until it answers its readiness URL. The bench cannot import
 * @faceindex/local-stack's copy of this: that package's entry imports the API app, and packages never import apps.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

export interface ChildService {
  name: string;
  pid: number;
  child: ChildProcess;
  /** SIGTERM, then SIGKILL after the grace period; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface ChildServiceOptions {
  name: string;
  /** Entry file relative to the repository root, e.g. "apps/api/src/main.ts". */
  entry: string;
  env: NodeJS.ProcessEnv;
  /** Polled until it answers; omit for processes without HTTP (the worker). */
  readyUrl?: string;
  /** Which answers of readyUrl mean ready; default any 2xx. */
  isReady?: (status: number) => boolean;
  /** "pipe" when the caller reads the child's output (the Rekognition server's call log). */
  stdout?: "inherit" | "pipe" | "ignore";
}

// Every service here starts in seconds (no face models in load-test mode); a minute covers a busy machine.
const READY_TIMEOUT_MS = 60_000;
// Graceful shutdown of the apps finishes their in-flight work in well under this.
const STOP_GRACE_MS = 10_000;

/**
 * Every child still running when the bench exits (an error, Ctrl-C) is killed: none may outlive the run
 * holding ports and CPU on a shared machine. An "exit" handler can only do synchronous work, so SIGKILL.
 */
const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Kills the child at exit of the bench unless it has exited by then. */
export function killAtExit(child: ChildProcess): void {
  running.add(child);
  child.once("exit", () => running.delete(child));
}

export async function startChildService(options: ChildServiceOptions): Promise<ChildService> {
  const child = spawn(process.execPath, ["--import", "tsx", options.entry], {
    cwd: repoRoot,
    env: options.env,
    // stderr stays visible: a crash or a warning of a service under test must not go unseen.
    stdio: ["ignore", options.stdout ?? "ignore", "inherit"],
  });
  killAtExit(child);
  const service: ChildService = {
    name: options.name,
    pid: child.pid!,
    child,
    stop: (graceMs) => stopChild(child, graceMs ?? STOP_GRACE_MS),
  };
  if (options.readyUrl) {
    try {
      await waitUntilReady(child, options.name, options.readyUrl, options.isReady ?? ((status) => status < 300));
    } catch (error) {
      await service.stop(1_000);
      throw error;
    }
  }
  return service;
}

async function waitUntilReady(
  child: ChildProcess,
  name: string,
  url: string,
  isReady: (status: number) => boolean,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (isReady(response.status)) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${name} was not ready at ${url} within ${READY_TIMEOUT_MS} ms`);
}

export function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killTimer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(killTimer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
