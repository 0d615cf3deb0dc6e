/**
 * One token bucket per AWS operation in Redis, shared by every worker process of the deployment, that
 * paces calls to the quota instead of discovering it by being throttled, and adapts when the quota is
 * unknown or smaller than configured.
 *
 * Why one Redis bucket and not BullMQ's limiter: AWS quotas are per operation (IndexFaces, PutObject...),
 * while BullMQ's global limiter counts a whole queue's jobs; an index job makes a PutObject, maybe a
 * SearchFacesByImage and an IndexFaces, and retries inside the SDK make more. Pacing the calls themselves
 * (runtime/paced-client.ts) counts exactly what AWS counts.
 *
 * Why not the SDK's `retryMode: "adaptive"`: its rate limiter lives in one client of one process, so N
 * workers each estimate the quota alone and together send N times too much; and it only engages after
 * being throttled. The algorithm below is the same one (CUBIC, as the SDK's DefaultRateLimiter): on a
 * throttle the rate drops to 0.7x what was being sent, then grows back along a cubic curve that reaches
 * the old rate after K seconds and probes slowly past it (up to REKOGNITION_TPS when set; without it, past
 * twice the throttled rate the calls go unpaced again); but its state is shared through Redis.
 *
 * Calls reserve a token (the bucket may go into debt) and wait the returned time, so a paced call costs one
 * round trip and waiting calls go in their order of arrival; an unpaced operation is re-asked only every
 * UNPACED_RECHECK_MS.
 */
import { luaScript, type ScriptRedis } from "@faceindex/redis-connection";

export interface RateBucket {
  /** Reserves a call of `operation`; resolves to how long (ms) to wait before sending it (0: at once). */
  take(operation: string): Promise<number>;
  /** Calls per second allowed now (0: unpaced), without taking anything. */
  rate(operation: string): Promise<number>;
  /** The call was throttled: lowers the shared rate (at most once per cool-down); resolves to the new rate. */
  throttled(operation: string): Promise<number>;
}

export interface RateBucketOptions {
  redis: ScriptRedis;
  /** Key prefix (the queues' {hash tag}), so a second deployment on the same Redis has its own buckets. */
  prefix: string;
  /** Calls per second per operation the quota allows (REKOGNITION_TPS); 0 or absent: unknown, adapt only. */
  ratePerSecond: (operation: string) => number | undefined;
  /** Milliseconds since the epoch; every worker's clock must roughly agree (NTP). Tests pass a fake. */
  now?: () => number;
}

// Lua keeps take and cut atomic across processes. State: rate at the last cut (wmax), cut time, tokens,
// last refill, and a one-second window counting calls to measure the rate actually sent.
const PACE = luaScript(`
local key, mode = KEYS[1], ARGV[1]
local now, ceiling, extra = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]) or 0
local BETA, C, BURST_S, MIN_RATE, COOLDOWN_MS, TTL_MS = 0.7, 0.4, 0.2, 0.5, 1000, 3600000
local s = redis.call('HMGET', key, 'tokens', 'ts', 'wmax', 'cut', 'wstart', 'wcount', 'wprev')
local tokens, ts, wmax, cut = tonumber(s[1]), tonumber(s[2]), tonumber(s[3]), tonumber(s[4])
local wstart, wcount, wprev = tonumber(s[5]) or now, tonumber(s[6]) or 0, tonumber(s[7]) or 0
if now - wstart >= 1000 then
  wprev = wcount * 1000 / (now - wstart)
  wstart, wcount = now, 0
end
-- Calls a worker sent unpaced without asking (see localUnpaced below) count in the window all the same.
wcount = wcount + extra
local rate = ceiling
if cut then
  local k = ((wmax * (1 - BETA)) / C) ^ (1 / 3)
  local t = (now - cut) / 1000 - k
  rate = math.max(C * t * t * t + wmax, MIN_RATE)
  if ceiling > 0 then
    rate = math.min(rate, ceiling)
  elseif rate >= 2 * wmax then
    -- No quota known and twice the throttled rate passes: the throttle was passing, send unpaced again.
    rate, cut = 0, nil
    redis.call('HDEL', key, 'cut', 'wmax')
  end
end
if mode == 'peek' then return tostring(rate) end
if mode == 'cut' then
  if cut and now - cut < COOLDOWN_MS then return tostring(rate) end
  local measured = math.max(wprev, wcount * 1000 / math.max(now - wstart, 1000))
  local base = measured
  if rate > 0 and (measured <= 0 or rate < measured) then base = rate end
  wmax, cut = math.max(base, MIN_RATE), now
  rate = math.max(wmax * BETA, MIN_RATE)
  tokens, ts = math.min(tokens or 0, 0), now
  redis.call('HSET', key, 'wmax', wmax, 'cut', cut, 'tokens', tokens, 'ts', ts, 'wstart', wstart, 'wcount', wcount, 'wprev', wprev)
  redis.call('PEXPIRE', key, TTL_MS)
  return tostring(rate)
end
wcount = wcount + 1
local wait = 0
if rate > 0 then
  local capacity = math.max(1, rate * BURST_S)
  tokens = math.min(capacity, (tokens or capacity) + math.max(now - (ts or now), 0) / 1000 * rate) - 1
  if tokens < 0 then wait = math.ceil(-tokens / rate * 1000) end
  ts = now
  redis.call('HSET', key, 'tokens', tokens, 'ts', ts)
end
redis.call('HSET', key, 'wstart', wstart, 'wcount', wcount, 'wprev', wprev)
redis.call('PEXPIRE', key, TTL_MS)
return tostring(wait) .. ' ' .. tostring(rate)
`);

/**
 * While an operation is unpaced (no quota set, no throttle lately), a worker asks Redis at most this often:
 * its calls in between go at once and are counted locally, then added to the shared window on the next
 * visit. That saves a round trip per AWS call in the common case; a cut by another worker is seen within it.
 */
export const UNPACED_RECHECK_MS = 250;

export function createRateBucket(options: RateBucketOptions): RateBucket {
  const now = options.now ?? Date.now;
  // Per operation: until when it is known to be unpaced, and the calls sent meanwhile without asking.
  const unpacedUntil = new Map<string, number>();
  const uncounted = new Map<string, number>();
  const run = async (mode: "take" | "cut" | "peek", operation: string): Promise<string> => {
    const ceiling = options.ratePerSecond(operation) ?? 0;
    const key = `${options.prefix}:pace:${operation}`;
    const extra = mode === "peek" ? 0 : (uncounted.get(operation) ?? 0);
    uncounted.delete(operation);
    try {
      return String(await PACE(options.redis, [key], [mode, String(now()), String(ceiling), String(extra)]));
    } catch (error) {
      if (extra > 0) uncounted.set(operation, (uncounted.get(operation) ?? 0) + extra);
      throw error;
    }
  };
  return {
    async take(operation) {
      const time = now();
      if ((unpacedUntil.get(operation) ?? 0) > time) {
        uncounted.set(operation, (uncounted.get(operation) ?? 0) + 1);
        return 0;
      }
      const [wait, rate] = (await run("take", operation)).split(" ").map(Number) as [number, number];
      if (rate === 0) unpacedUntil.set(operation, time + UNPACED_RECHECK_MS);
      else unpacedUntil.delete(operation);
      return wait;
    },
    rate: async (operation) => Number(await run("peek", operation)),
    async throttled(operation) {
      unpacedUntil.delete(operation);
      return Number(await run("cut", operation));
    },
  };
}
