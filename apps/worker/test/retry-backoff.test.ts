/**
 * The retry schedule (spreadRetryBackoff in the contracts) as BullMQ itself computes the delays from it:
 * attempts spread over the API's wait, doubling, jittered.
 */
import { Backoffs } from "bullmq";
import { describe, expect, it } from "vitest";
import { DEFAULT_JOB_OPTIONS, spreadRetryBackoff } from "@faceindex/contracts";

/** BullMQ's delay before the attempt after `attemptsMade`, with Math.random fixed to `random`. */
function delay(backoff: ReturnType<typeof spreadRetryBackoff>, attemptsMade: number, random: number): number {
  const original = Math.random;
  Math.random = () => random;
  try {
    return Backoffs.calculate(backoff, attemptsMade, new Error("x"), {} as never) as number;
  } finally {
    Math.random = original;
  }
}

describe("retry backoff", () => {
  it("doubles the delays and keeps their sum within half the wait", () => {
    const backoff = spreadRetryBackoff(30_000, 5);
    const longest = [1, 2, 3, 4].map((made) => delay(backoff, made, 0.9999999));
    expect(longest).toEqual([999, 1_999, 3_999, 7_999]);
    expect(longest.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(15_000);
  });

  it("rides out a restart of a few seconds: the attempts reach past 7 s even at the lowest jitter", () => {
    const shortest = [1, 2, 3, 4].map((made) => delay(spreadRetryBackoff(30_000, 5), made, 0));
    expect(shortest).toEqual([500, 1_000, 2_000, 4_000]);
    expect(shortest.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(7_000);
  });

  it("follows the wait and the attempt count", () => {
    expect(spreadRetryBackoff(60_000, 5).delay).toBe(2 * spreadRetryBackoff(30_000, 5).delay!);
    // Three attempts over 30 s: two delays, 5 s then 10 s at most.
    expect(spreadRetryBackoff(30_000, 3).delay).toBe(5_000);
  });

  it("is every job's default, spread over the API's default 30 s wait", () => {
    expect(DEFAULT_JOB_OPTIONS.backoff).toEqual(spreadRetryBackoff(30_000, DEFAULT_JOB_OPTIONS.attempts!));
  });
});
