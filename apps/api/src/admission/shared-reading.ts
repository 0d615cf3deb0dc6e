/**
 * A value read from Redis that every request may use for a short while (a queue's backlog, Redis's memory):
 * one read in flight at a time, so a burst of requests shares it instead of stampeding Redis.
 */
export function sharedReading<T>(
  read: () => Promise<T>,
  cacheMs: number,
  now: () => number = Date.now,
): () => Promise<T> {
  let cached: { value: T; at: number } | undefined;
  let inFlight: Promise<T> | undefined;
  return () => {
    if (cached && now() - cached.at < cacheMs) return Promise.resolve(cached.value);
    inFlight ??= read()
      .then((value) => {
        cached = { value, at: now() };
        return value;
      })
      .finally(() => (inFlight = undefined));
    return inFlight;
  };
}
