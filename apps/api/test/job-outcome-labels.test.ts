/** The outcome label of faceindex_job_outcomes_total stays bounded, whatever a worker returns. */
import { describe, expect, it } from "vitest";
import { outcomeLabel } from "../src/metrics/job-outcomes.ts";

describe("job outcome labels", () => {
  it("keeps label values bounded: statuses, failure classes, timeout", () => {
    const completed = (returnvalue: unknown) => outcomeLabel({ status: "completed", returnvalue });
    expect(completed({ status: "indexed" })).toBe("indexed");
    expect(completed({ status: "no_face" })).toBe("no_face");
    expect(completed({ status: "duplicate" })).toBe("duplicate");
    expect(completed({ status: "quality_rejected" })).toBe("quality_rejected");
    expect(completed({ status: "failed", code: "ThrottlingException", retryable: true })).toBe("failed_transient");
    expect(completed({ status: "failed", code: "NoSuchBucket", retryable: false })).toBe("failed_permanent");
    // Anything a worker should never return still maps to one value, never to its own series.
    expect(completed({ status: "surprise-123" })).toBe("job_error");
    expect(completed(null)).toBe("job_error");
    expect(outcomeLabel({ status: "failed", failedReason: "boom" })).toBe("job_error");
    expect(outcomeLabel({ status: "timeout" })).toBe("timeout");
  });
});
