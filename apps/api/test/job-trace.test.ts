/**
 * The API puts its request id, and the caller's traceparent when valid, into the job it enqueues, so the
 * worker's lines of that job can be found from the API's request line (worker test: trace-logs.test.ts).
 */
import { describe, expect, inject, it } from "vitest";
import { parseTraceparent } from "@faceindex/contracts";
import { createHarness, devToken, validBody } from "./support/harness.ts";
import { indexedOutcome } from "./support/outcomes.ts";

const VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("traceparent", () => {
  it("accepts W3C traceparents and refuses malformed or invalid ones", () => {
    expect(parseTraceparent(VALID)).toBe(VALID);
    expect(parseTraceparent(` ${VALID} `)).toBe(VALID);
    // A later version may append fields; the known part is kept.
    expect(parseTraceparent(`01-${VALID.slice(3)}-extra`)).toBe(`01-${VALID.slice(3)}`);
    for (const bad of [
      undefined,
      "",
      "garbage",
      VALID.toUpperCase(),
      `ff-${VALID.slice(3)}`,
      `00-${"0".repeat(32)}-00f067aa0ba902b7-01`,
      `00-4bf92f3577b34da6a3ce929d0e0e4736-${"0".repeat(16)}-01`,
      `${VALID}-extra`,
    ]) {
      expect(parseTraceparent(bad), String(bad)).toBeUndefined();
    }
  });
});

describe("the enqueued job", () => {
  it("carries the request id and a valid traceparent; drops an invalid one", async () => {
    const harness = await createHarness(inject("redisUrl"), { logLevel: "silent" });
    try {
      await harness.startWorker(async (job) => indexedOutcome(job));
      const send = (headers: Record<string, string>, body: Record<string, unknown>) =>
        harness.app.inject({ method: "POST", url: "/index_faces", payload: body, headers });
      const auth = { authorization: `Bearer ${await devToken()}` };

      const traced = await send({ ...auth, "x-request-id": "req-traced-0001", traceparent: VALID }, validBody());
      expect(traced.statusCode).toBe(200);
      const job = await harness.queue.getJob(String(traced.headers["x-job-id"]));
      expect(job?.data.trace).toEqual({ requestId: "req-traced-0001", traceparent: VALID });

      const untraced = await send(
        { ...auth, traceparent: "00-not-a-trace" },
        validBody({ external_image_id: "user-untraced", image_key: "customers/9/selfie.jpg" }),
      );
      expect(untraced.statusCode).toBe(200);
      const other = await harness.queue.getJob(String(untraced.headers["x-job-id"]));
      expect(other?.data.trace).toEqual({ requestId: untraced.headers["x-request-id"] });
    } finally {
      await harness.close();
    }
  });
});
