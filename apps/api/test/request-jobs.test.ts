/** How long a request id keeps pointing at its job: never past the job's own retention age. */
import { describe, expect, it } from "vitest";
import { JOBS } from "@faceindex/contracts";
import { requestJobTtlSeconds } from "../src/jobs/request-jobs.ts";

const DAY = 24 * 3600;

describe("requestJobTtlSeconds", () => {
  it("is a day with the contract's retention (completed jobs kept a day, failed ones a week)", () => {
    expect(requestJobTtlSeconds(JOBS.index.jobOptions)).toBe(DAY);
  });

  it("follows a shorter retention age of completed or failed jobs", () => {
    expect(requestJobTtlSeconds({ removeOnComplete: { age: 600, count: 10 }, removeOnFail: { age: DAY } })).toBe(600);
    expect(requestJobTtlSeconds({ removeOnComplete: { age: DAY }, removeOnFail: { age: 3600 } })).toBe(3600);
  });

  it("stays at a day when retention has no age (kept for ever, or by count alone)", () => {
    expect(requestJobTtlSeconds({})).toBe(DAY);
    expect(requestJobTtlSeconds({ removeOnComplete: 1000, removeOnFail: { count: 50 } })).toBe(DAY);
  });
});
