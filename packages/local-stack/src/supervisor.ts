/**
 * Keeps one child of the local stack running: when it exits without being asked to, it is started again
 * after a backoff that doubles up to a cap (a child that crashes at once must not spin the CPU), and every
 * exit is logged with its code or signal. stop() ends the supervision and stops the child.
 */
import type { ChildProcess } from "node:child_process";

// First restart soon (a killed child is back in well under a second), then doubling while it keeps failing.
const FIRST_BACKOFF_MS = 250;
// Never wait longer than this between attempts: a dependency that comes back is picked up within it.
const MAX_BACKOFF_MS = 30_000;
// A child that ran this long was healthy: its next failure starts the backoff afresh.
const STABLE_AFTER_MS = 60_000;

export interface SupervisedChild {
  name: string;
  /** The current process (a new one after each restart). */
  readonly child: ChildProcess;
  /** How many times the child was started again. */
  readonly restarts: number;
  stop(graceMs?: number): Promise<void>;
}

export interface SuperviseOptions {
  name: string;
  /** The child already started (and ready). */
  first: ChildProcess;
  /** Starts a new child and resolves once it is ready; rejects (and cleans up) when it could not start. */
  restart: () => Promise<ChildProcess>;
  stopChild: (child: ChildProcess, graceMs: number) => Promise<void>;
  /** false: watch nothing, just stop the child on stop() (the tests that kill children themselves). */
  enabled: boolean;
  log: (line: string) => void;
}

export function supervise(options: SuperviseOptions): SupervisedChild {
  let child = options.first;
  let restarts = 0;
  let backoffMs = FIRST_BACKOFF_MS;
  let startedAt = Date.now();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pending: Promise<void> | undefined;

  const scheduleRestart = (why: string) => {
    if (stopped) return;
    if (Date.now() - startedAt >= STABLE_AFTER_MS) backoffMs = FIRST_BACKOFF_MS;
    const delay = backoffMs;
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    options.log(`faceindex: ${options.name} ${why}; restarting in ${delay} ms`);
    timer = setTimeout(() => {
      timer = undefined;
      if (stopped) return;
      startedAt = Date.now();
      pending = options.restart().then(
        (next) => {
          if (stopped) {
            void options.stopChild(next, 1_000);
            return;
          }
          child = next;
          restarts += 1;
          options.log(`faceindex: ${options.name} restarted (pid ${next.pid})`);
          watch(next);
        },
        (error: unknown) =>
          scheduleRestart(`could not start (${error instanceof Error ? error.message : String(error)})`),
      );
    }, delay);
  };

  const watch = (watched: ChildProcess) => {
    if (!options.enabled) return;
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      if (!stopped) scheduleRestart(`exited (${signal ? `signal ${signal}` : `code ${code}`})`);
    };
    if (watched.exitCode !== null || watched.signalCode !== null) onExit(watched.exitCode, watched.signalCode);
    else watched.once("exit", onExit);
  };
  watch(child);

  return {
    name: options.name,
    get child() {
      return child;
    },
    get restarts() {
      return restarts;
    },
    async stop(graceMs = 10_000) {
      stopped = true;
      if (timer) clearTimeout(timer);
      // A restart under way finishes (and its child is stopped) before stop() returns: nothing left behind.
      await pending;
      await options.stopChild(child, graceMs);
    },
  };
}
