/**
 * Thrown when a person's lock (adapters/redis/external-id-lock.ts) is held by another job: the lock gate
 * (lock-wait.ts) puts the job back to wait instead of spending an attempt. Here, not next to the lock, so
 * the runtime never imports an adapter.
 */
export class LockBusyError extends Error {
  override readonly name = "LockBusyError";
}
