/** The retry schedule (runtime/retry-backoff.ts): attempts spread over the API's wait, with jitter. */
import { describe, expect, it } from "vitest";
import { createRetryBackoff, retryDelayCeilingMs } from "../src/runtime/retry-backoff.ts";

const job = (attempts: number) => ({ opts: { attempts } });

describe("retry backoff", () => {
  it("doubles the delays and keeps their sum within half the wait", () => {
    const ceilings = [1, 2, 3, 4].map((made) => retryDelayCeilingMs(made, 5, 30_000));
    expect(ceilings).toEqual([1_000, 2_000, 4_000, 8_000]);
    const sum = ceilings.reduce((a, b) => a + b, 0);
    expect(sum).toBeLessThanOrEqual(15_000);
  });

  it("follows the wait and the attempt count", () => {
    expect(retryDelayCeilingMs(1, 5, 60_000)).toBe(2 * retryDelayCeilingMs(1, 5, 30_000));
    // Three attempts over 30 s: two delays, 5 s then 10 s at most.
    expect([1, 2].map((made) => retryDelayCeilingMs(made, 3, 30_000))).toEqual([5_000, 10_000]);
  });

  it("rides out a restart of a few seconds: the attempts reach past 7 s even at the lowest jitter", () => {
    const lowest = createRetryBackoff(30_000, () => 0);
    const delays = [1, 2, 3, 4].map((made) => lowest(made, "spread-over-wait", undefined, job(5)));
    expect(delays.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(7_000);
  });

  it("draws each delay from the upper half of its slot", () => {
    const draws = [0, 0.25, 0.5, 0.999].map((r) => createRetryBackoff(30_000, () => r)(2, "x", undefined, job(5)));
    for (const delay of draws) {
      expect(delay).toBeGreaterThanOrEqual(1_000);
      expect(delay).toBeLessThanOrEqual(2_000);
    }
    expect(new Set(draws).size).toBe(draws.length);
  });

  it("a job put back past its attempts keeps the last slot's size", () => {
    expect(retryDelayCeilingMs(9, 5, 30_000)).toBe(retryDelayCeilingMs(4, 5, 30_000));
  });
});
