/**
 * A per-operation calls-per-second limit, like the TPS quotas AWS applies per API: a token bucket per
 * operation holding at most `tps` tokens and refilled at `tps` per second, so short bursts up to the limit
 * pass and a sustained rate above it is answered ProvisionedThroughputExceededException, as AWS does.
 */
export interface RateLimiter {
  /** True when the call may proceed. */
  tryAcquire(operation: string): boolean;
}

export function createRateLimiter(tps: number, now: () => number = () => performance.now()): RateLimiter {
  const buckets = new Map<string, { tokens: number; updatedAt: number }>();
  // A bucket must hold at least one whole call, or a limit below 1/s (e.g. 0.5) would refuse every call.
  const capacity = Math.max(1, tps);
  return {
    tryAcquire(operation) {
      const time = now();
      const bucket = buckets.get(operation) ?? { tokens: capacity, updatedAt: time };
      bucket.tokens = Math.min(capacity, bucket.tokens + ((time - bucket.updatedAt) / 1000) * tps);
      bucket.updatedAt = time;
      buckets.set(operation, bucket);
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
  };
}
