import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runOpenLoop } from "../src/load/open-loop.ts";

// A server slower than the gap between requests: a closed loop would wait, an open loop must not.
const ANSWER_DELAY_MS = 300;
let inFlight = 0;
let maxInFlight = 0;
let received = 0;
const server = createServer((request, response) => {
  received++;
  maxInFlight = Math.max(maxInFlight, ++inFlight);
  request.resume();
  setTimeout(() => {
    inFlight--;
    const status = request.headers.authorization === "Bearer t" ? 503 : 401;
    response.writeHead(status, { "retry-after": "2" }).end();
  }, ANSWER_DELAY_MS);
});
let url = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/index_faces`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("the open-loop sender", () => {
  it("sends rate x duration requests without waiting for answers, and reports each answer", async () => {
    const answers = await runOpenLoop({
      url,
      token: "t",
      ratePerSecond: 40,
      durationSeconds: 1,
      timeoutMs: 10_000,
      body: () => Buffer.from("{}"),
    });
    expect(answers).toHaveLength(40);
    expect(received).toBe(40);
    // Answers take longer than the gap between requests, so several were outstanding at once.
    expect(maxInFlight).toBeGreaterThan(1);
    expect(answers.every((answer) => answer.status === 503 && answer.retryAfter === "2")).toBe(true);
  });

  it("reports a request unanswered within its deadline as a client timeout", async () => {
    const answers = await runOpenLoop({
      url,
      token: "t",
      ratePerSecond: 10,
      durationSeconds: 0.5,
      // Shorter than the server's delay: none can be answered in time.
      timeoutMs: ANSWER_DELAY_MS / 3,
      body: () => Buffer.from("{}"),
    });
    expect(answers).toHaveLength(5);
    expect(answers.every((answer) => answer.status === 0 && answer.failure === "timeout")).toBe(true);
  });
});
