/**
 * The shared pacing bucket against the real Redis, on a fake clock: paced calls never exceed the rate,
 * a throttle cuts the rate once per cool-down, and the rate climbs back (CUBIC) to the quota.
 */
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { uniqueName } from "@faceindex/testing";
import { createRateBucket, UNPACED_RECHECK_MS } from "../src/adapters/redis/rate-bucket.ts";

const redis = new Redis(inject("redisUrl"));
afterAll(async () => {
  await redis.quit();
});

/** The real client, counting the scripts it is asked to run. */
const counted = { calls: 0 };
const countingRedis = {
  evalsha: ((...args: Parameters<Redis["evalsha"]>) => (counted.calls++, redis.evalsha(...args))) as Redis["evalsha"],
  eval: ((...args: Parameters<Redis["eval"]>) => redis.eval(...args)) as Redis["eval"],
};

function bucketAt(ratePerSecond: number | undefined, prefix = `{${uniqueName("pace")}}`) {
  const clock = { now: 1_000_000 };
  const bucket = createRateBucket({
    redis: countingRedis,
    prefix,
    ratePerSecond: () => ratePerSecond,
    now: () => clock.now,
  });
  return { clock, bucket };
}

/** Most send times inside any one-second window. */
function busiestSecond(sendTimes: number[]): number {
  const sorted = [...sendTimes].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1_000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe("rate bucket", () => {
  it("spreads a burst of calls so no second holds more than the rate and its small burst", async () => {
    const { bucket } = bucketAt(10);
    // 60 callers ask at the same instant; each sends after the wait it is given.
    const waits = await Promise.all(Array.from({ length: 60 }, () => bucket.take("rekognition:IndexFaces")));
    // The rate plus the bucket's burst (a fifth of a second of calls).
    expect(busiestSecond(waits)).toBeLessThanOrEqual(12);
    expect(Math.max(...waits)).toBeGreaterThanOrEqual(5_000);
  });

  it("keeps operations apart: each has its own bucket", async () => {
    const { bucket } = bucketAt(1);
    expect(await bucket.take("rekognition:IndexFaces")).toBe(0);
    expect(await bucket.take("rekognition:SearchFacesByImage")).toBe(0);
    expect(await bucket.take("rekognition:IndexFaces")).toBeGreaterThan(0);
  });

  it("without a quota sends unpaced, cuts to 0.7x the measured rate on a throttle, once per cool-down", async () => {
    const { clock, bucket } = bucketAt(undefined);
    const op = "rekognition:IndexFaces";
    expect(await bucket.rate(op)).toBe(0);
    // 20 calls a second for two seconds, none waits.
    for (let i = 0; i < 40; i++, clock.now += 50) expect(await bucket.take(op)).toBe(0);
    const cut = await bucket.throttled(op);
    expect(cut).toBeGreaterThan(12);
    expect(cut).toBeLessThan(16);
    // Throttles of calls sent before the cut come back in the next moments: they must not cut again.
    clock.now += 200;
    expect(await bucket.throttled(op)).toBeGreaterThanOrEqual(cut);
    // Paced now: a burst waits.
    const waits = await Promise.all(Array.from({ length: 30 }, () => bucket.take(op)));
    expect(busiestSecond(waits)).toBeLessThanOrEqual(Math.ceil(cut * 1.2) + 1);
  });

  it("climbs back to the quota after a throttle, slowly near the old rate, and never above REKOGNITION_TPS", async () => {
    const { clock, bucket } = bucketAt(20);
    const op = "rekognition:IndexFaces";
    for (let i = 0; i < 40; i++, clock.now += 50) await bucket.take(op);
    const cut = await bucket.throttled(op);
    const rates: number[] = [];
    for (let second = 1; second <= 8; second++) {
      clock.now += 1_000;
      rates.push(await bucket.rate(op));
    }
    expect(cut).toBeLessThan(20);
    // Rises at once after the cut, flattens near the old rate (CUBIC's plateau), then holds the quota.
    expect(rates[0]).toBeGreaterThan(cut);
    expect(rates[1]! - rates[0]!).toBeLessThan(rates[0]! - cut);
    expect(rates.every((rate) => rate <= 20)).toBe(true);
    expect(rates.at(-1)).toBe(20);
  });

  it("without a quota, goes back to unpaced once twice the throttled rate is reached", async () => {
    const { clock, bucket } = bucketAt(undefined);
    const op = "s3:PutObject";
    for (let i = 0; i < 20; i++, clock.now += 100) await bucket.take(op);
    expect(await bucket.throttled(op)).toBeGreaterThan(0);
    clock.now += 3_000;
    const probing = await bucket.rate(op);
    expect(probing).toBeGreaterThan(7);
    clock.now += 30_000;
    expect(await bucket.rate(op)).toBe(0);
  });

  it("asks Redis about an unpaced operation only every UNPACED_RECHECK_MS, and still counts every call", async () => {
    const { clock, bucket } = bucketAt(undefined);
    const op = "s3:PutObject";
    const before = counted.calls;
    // 40 calls a second for two seconds: 80 calls, a handful of round trips.
    for (let i = 0; i < 80; i++, clock.now += 25) expect(await bucket.take(op)).toBe(0);
    expect(counted.calls - before).toBeLessThanOrEqual(Math.ceil(2_000 / UNPACED_RECHECK_MS) + 1);
    // The cut starts from the rate really sent (40/s), not from the calls that went through Redis.
    const cut = await bucket.throttled(op);
    expect(cut).toBeGreaterThan(0.7 * 40 * 0.8);
    expect(cut).toBeLessThan(0.7 * 40 * 1.2);
  });

  it("sees another worker's cut within UNPACED_RECHECK_MS", async () => {
    const prefix = `{${uniqueName("pace")}}`;
    const mine = bucketAt(undefined, prefix);
    const other = bucketAt(undefined, prefix);
    const op = "rekognition:IndexFaces";
    for (let i = 0; i < 40; i++, mine.clock.now += 50, other.clock.now += 50) {
      await mine.bucket.take(op);
      await other.bucket.take(op);
    }
    await other.bucket.throttled(op);
    mine.clock.now += UNPACED_RECHECK_MS;
    // Paced from the next visit on: a burst now waits.
    const waits = await Promise.all(Array.from({ length: 40 }, () => mine.bucket.take(op)));
    expect(Math.max(...waits)).toBeGreaterThan(0);
  });
});
