/**
 * Starts one of the stack's Node processes (api, worker, rekognition-local, local S3) as a watched child
 * running its TypeScript entry under tsx, waits until it answers its readiness URL, and (when supervised)
 * starts it again whenever it dies.
 */
import type { ChildProcess } from "node:child_process";
import { supervise, type SupervisedChild } from "./supervisor.ts";
import { spawnWatchedNode, type ChildOutput } from "./watched-spawn.ts";

export type ServiceProcess = SupervisedChild;

export interface StartServiceOptions {
  name: string;
  /** Entry file relative to the repository root, e.g. "apps/api/src/main.ts". */
  entry: string;
  env: NodeJS.ProcessEnv;
  /** Polled until it answers 2xx; omit for processes without HTTP (the worker). */
  readyUrl?: string;
  /** Polled after a restart instead of readyUrl: liveness, when readiness also needs other children up. */
  restartReadyUrl?: string;
  /** Model loading on 2 cores takes a while: how long to wait for readyUrl. */
  readyTimeoutMs?: number;
  /** Where the child's stdout/stderr go: "inherit" for pnpm start, "pipe" for tests. */
  stdio?: ChildOutput;
  /** Start it again when it dies (pnpm start); off for tests that kill and replace children themselves. */
  supervise?: boolean;
  /** Where restarts are reported. */
  log?: (line: string) => void;
}

export async function startService(options: StartServiceOptions): Promise<ServiceProcess> {
  const start = async (readyUrl: string | undefined): Promise<ChildProcess> => {
    const child = spawnWatchedNode(options.entry, options.env, options.stdio ?? "inherit");
    if (readyUrl) {
      try {
        await waitUntilReady(child, options.name, readyUrl, options.readyTimeoutMs ?? 60_000);
      } catch (error) {
        await stopChild(child, 1_000);
        throw error;
      }
    }
    return child;
  };
  return supervise({
    name: options.name,
    first: await start(options.readyUrl),
    restart: () => start(options.restartReadyUrl ?? options.readyUrl),
    stopChild,
    enabled: options.supervise ?? false,
    log: options.log ?? console.error,
  });
}

async function waitUntilReady(child: ChildProcess, name: string, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.signalCode ?? `code ${child.exitCode}`}) before it was ready`);
    }
    try {
      // One poll must not hang on a child that accepted the connection but does not answer yet.
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
