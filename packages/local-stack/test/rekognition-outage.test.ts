/**
 * The Rekognition server dies under load, with real processes (load-test engine, the shared Redis): no
 * request is answered 400 for it. Killed and started again by the stack's supervision (as `pnpm start` does),
 * the requests in flight ride the restart out and get their 200 (or, at worst, 503 retryable); down for
 * good, every request gets 503 + Retry-After with `retryable: true`, never a 400.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { facePhoto } from "@faceindex/testing";
import { afterEach, describe, expect, inject, it } from "vitest";
import { startThrowawayStack, type ThrowawayStack } from "../src/throwaway-stack.ts";

const image = facePhoto("same/A000371_1.jpg").toString("base64");
let stack: ThrowawayStack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { msg?: string; code?: string; retryable?: boolean };
}

async function indexFaces(target: ThrowawayStack, id: string): Promise<Answer> {
  const response = await fetch(`${target.apiUrl}/index_faces`, {
    method: "POST",
    headers: { authorization: `Bearer ${target.token}`, "content-type": "application/json" },
    body: JSON.stringify({ image, bucket: target.bucket, image_key: `selfies/${id}.jpg`, external_image_id: id }),
    // A hung request fails the test instead of hanging it: the API answers within SYNC_TIMEOUT_MS.
    signal: AbortSignal.timeout(45_000),
  });
  const body = (await response.json()) as Answer["body"];
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body };
}

const statuses = (answers: Answer[]) => answers.map((answer) => answer.status);

describe("Rekognition server outage", () => {
  it("killed mid-load and restarted by the stack: each request gets 200 (or 503 retryable), no 400", async () => {
    stack = await startThrowawayStack({
      name: "rek-restart",
      faceEngine: "load-test",
      redisUrl: inject("redisUrl"),
      supervise: true,
      extraEnv: { LOG_LEVEL: "error", LOAD_TEST_LATENCY_MS: "200", WORKER_CONCURRENCY: "8" },
      stdio: "ignore",
    });
    const running = stack;
    const firstPid = running.rekognition.child.pid;
    // Twelve requests in flight (each IndexFaces takes 200 ms, eight at once), then the server is SIGKILLed.
    const answers = Promise.all(Array.from({ length: 12 }, (_, i) => indexFaces(running, `restart-${i}`)));
    await sleep(300);
    running.rekognition.child.kill("SIGKILL");
    const settled = await answers;

    expect(running.rekognition.restarts).toBeGreaterThanOrEqual(1);
    expect(running.rekognition.child.pid).not.toBe(firstPid);
    expect(statuses(settled).filter((status) => status !== 200 && status !== 503)).toEqual([]);
    for (const answer of settled.filter((a) => a.status === 503)) {
      expect(answer.body).toMatchObject({ retryable: true });
      expect(answer.retryAfter).not.toBeNull();
    }
    // The restart lasts a few seconds; the attempts spread over the wait outlast it.
    expect(statuses(settled).filter((status) => status === 200).length).toBeGreaterThan(0);
  }, 120_000);

  it("down for good: 503 + Retry-After, retryable, a stable message, never 400", async () => {
    stack = await startThrowawayStack({
      name: "rek-down",
      faceEngine: "load-test",
      redisUrl: inject("redisUrl"),
      // A shorter wait, so the spread attempts give up sooner (5 s of backoff in all).
      extraEnv: { LOG_LEVEL: "error", LOAD_TEST_LATENCY_MS: "10", SYNC_TIMEOUT_MS: "10000" },
      stdio: "ignore",
    });
    const running = stack;
    await running.rekognition.stop(0);
    const settled = await Promise.all(Array.from({ length: 3 }, (_, i) => indexFaces(running, `down-${i}`)));
    expect(statuses(settled)).toEqual([503, 503, 503]);
    for (const answer of settled) {
      expect(Number(answer.retryAfter)).toBeGreaterThan(0);
      expect(answer.body).toMatchObject({ retryable: true, code: expect.stringMatching(/^E[A-Z]+$/) });
      expect(answer.body.msg).toMatch(/unavailable; try again shortly/);
      // No address, no SDK internals.
      expect(answer.body.msg).not.toMatch(/127\.0\.0\.1|\$response|connect /);
    }
  }, 120_000);
});
