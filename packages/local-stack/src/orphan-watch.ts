/**
 * `pnpm start` runs main.ts under pnpm and a shell. Ctrl-C signals that whole process group, but a signal
 * to pnpm alone (`kill <pid>`, a process manager that stops only the pid it started) ends pnpm and the
 * shell and leaves main.ts running as an orphan, holding the stack's ports, its Redis and its data, with
 * nobody to stop it. Node cannot ask for Linux's PR_SET_PDEATHSIG, so the parent pid is read once a second:
 * when it changes, the parent is gone. A process started under init (ppid 1) or as pid 1 never sees a change.
 */
export function onOrphaned(stop: () => void, intervalMs = 1_000): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    stop();
  }, intervalMs);
  timer.unref(); // the watch alone must not keep a finished stack alive
  return () => clearInterval(timer);
}
