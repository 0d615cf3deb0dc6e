/**
 * Starts one of the apps (api, worker, rekognition-local) as a child process running its TypeScript
 * entry under tsx, and waits until it answers its readiness URL.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** Sends SIGTERM (graceful shutdown) and waits for the exit; SIGKILL after the grace period. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartServiceOptions {
  name: string;
  /** Entry file relative to the repository root, e.g. "apps/api/src/main.ts". */
  entry: string;
  env: NodeJS.ProcessEnv;
  /** Polled until it answers 2xx; omit for processes without HTTP (the worker). */
  readyUrl?: string;
  /** Model loading on 2 cores takes a while: how long to wait for readyUrl. */
  readyTimeoutMs?: number;
  /** Where the child's stdout/stderr go: "inherit" for pnpm start, "pipe" for tests. */
  stdio?: "inherit" | "pipe" | "ignore";
}

export async function startService(options: StartServiceOptions): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", options.entry], {
    cwd: repoRoot,
    env: options.env,
    stdio: ["ignore", options.stdio ?? "inherit", options.stdio ?? "inherit"],
  });
  const service: ServiceProcess = { name: options.name, child, stop: (graceMs) => stopChild(child, graceMs ?? 10_000) };
  if (options.readyUrl) {
    try {
      await waitUntilReady(child, options.name, options.readyUrl, options.readyTimeoutMs ?? 60_000);
    } catch (error) {
      await service.stop(1_000);
      throw error;
    }
  }
  return service;
}

async function waitUntilReady(child: ChildProcess, name: string, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${name} was not ready at ${url} within ${timeoutMs} ms`);
}

/** Sends SIGTERM and waits for the exit, SIGKILL after graceMs; returns at once if the child already exited (or died on a signal). */
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
