/**
 * Faults with real processes: the stack as `pnpm start` runs it (load-test engine), on its own
 * redis-server with AOF. A worker SIGKILLed mid-job, a worker and the API stopped with SIGTERM mid-request,
 * and Redis killed and restarted: every client gets its answer and nothing is indexed twice.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { facePhoto, freePort, injectFault, pendingFaults } from "@faceindex/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listCollectionFaces } from "../src/collection-faces.ts";
import { startThrowawayStack, type ThrowawayStack } from "../src/throwaway-stack.ts";
import { findOrStartRedis } from "../src/redis-server.ts";

let stack: ThrowawayStack;
let bucket: string;
let collectionId: string;
let token: string;
// Redis is this file's own (AOF on), so the test can kill and restart it.
let redisDir: string;
let redisPort: number;
let redisProcess: ChildProcess | undefined;
const image = facePhoto("same/A000371_1.jpg").toString("base64");

beforeAll(async () => {
  redisDir = mkdtempSync(join(tmpdir(), "faceindex-faults-redis-"));
  redisPort = await freePort();
  redisProcess = (await findOrStartRedis({ port: redisPort, dataDir: redisDir })).process;
  stack = await startThrowawayStack({
    name: "faults",
    faceEngine: "load-test",
    redisUrl: `redis://127.0.0.1:${redisPort}`,
    // Short job locks so a killed worker's job is re-run within seconds; the wait covers it comfortably.
    extraEnv: {
      LOG_LEVEL: "error",
      LOAD_TEST_LATENCY_MS: "10",
      JOB_LOCK_MS: "3000",
      STALLED_CHECK_MS: "1000",
      SYNC_TIMEOUT_MS: "20000",
    },
  });
  ({ bucket, collectionId, token } = stack);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await killRedis("SIGTERM");
  rmSync(redisDir, { recursive: true, force: true });
});

async function killRedis(signal: NodeJS.Signals): Promise<void> {
  const child = redisProcess;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

function indexFaces(
  externalImageId: string,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${stack.apiUrl}/index_faces`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
    body: JSON.stringify({
      image,
      bucket,
      image_key: `selfies/${externalImageId}.jpg`,
      external_image_id: externalImageId,
    }),
    // A hung request fails the test instead of hanging it: the API answers within SYNC_TIMEOUT_MS.
    signal: signal ?? AbortSignal.timeout(40_000),
  });
}

function getJob(requestId: string): Promise<Response> {
  return fetch(`${stack.apiUrl}/jobs/${requestId}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
}

/**
 * Delays the next IndexFaces by `ms`, sends the request and returns once that call is in flight. The
 * pending answer comes back wrapped: an async function returning a bare promise would wait for it.
 */
async function slowNextIndexFaces(
  ms: number,
  request: () => Promise<Response>,
): Promise<{ response: Promise<Response> }> {
  await injectFault(stack.rekognitionUrl, { operation: "IndexFaces", count: 1, latencyMs: ms });
  const response = request();
  for (let i = 0; i < 200; i++) {
    if ((await pendingFaults(stack.rekognitionUrl)).length === 0) return { response }; // consumed: the call is in flight
    await sleep(50);
  }
  throw new Error("IndexFaces was never called");
}

async function facesOf(externalImageId: string): Promise<number> {
  return (await listCollectionFaces(stack.rekognitionUrl, collectionId)).filter(
    (face) => face.externalImageId === externalImageId,
  ).length;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} did not happen`);
}

describe("faults with processes", () => {
  it("re-runs the job of a worker killed mid-job: the client gets 200 and there is one face", async () => {
    const killed = stack.workers[0]!;
    const { response: pending } = await slowNextIndexFaces(4_000, () => indexFaces("killed-mid-job"));
    const exited = new Promise((resolve) => killed.child.once("exit", resolve));
    killed.child.kill("SIGKILL");
    await exited;
    const replacement = await stack.addWorker();

    const response = await pending;

    expect(response.status, await response.clone().text()).toBe(200);
    expect(((await response.json()) as { data: { external_image_id: string } }).data.external_image_id).toBe(
      "killed-mid-job",
    );
    expect(killed.child.signalCode).toBe("SIGKILL");
    expect(replacement.child.exitCode).toBeNull();
    await sleep(4_500); // the killed call's delayed IndexFaces lands on the server too: still one face
    expect(await facesOf("killed-mid-job")).toBe(1);
  });

  it("lets a worker stopped with SIGTERM finish its job before it exits", async () => {
    const worker = stack.workers.find((w) => w.child.exitCode === null && w.child.signalCode === null)!;
    const { response: pending } = await slowNextIndexFaces(1_500, () => indexFaces("graceful-worker"));

    const [response] = await Promise.all([pending, worker.stop(30_000)]);

    expect(response.status).toBe(200);
    expect(worker.child.exitCode).toBe(0);
    expect(await facesOf("graceful-worker")).toBe(1);
  });

  it("answers 503 while Redis is down, heals by itself, and keeps the jobs it accepted (AOF)", async () => {
    // No worker runs now: the accepted job waits in Redis through the restart.
    const aborted = new AbortController();
    const accepted = indexFaces("survives-restart", { "x-request-id": "survivor-request-1" }, aborted.signal).catch(
      () => undefined,
    );
    await until(async () => (await getJob("survivor-request-1")).status === 202, "the job being accepted");
    aborted.abort();
    await accepted;

    await killRedis("SIGKILL");
    const during = await indexFaces("during-outage");
    const ready = await fetch(`${stack.apiUrl}/readyz`);

    expect(during.status).toBe(503);
    expect(during.headers.get("retry-after")).toBeTruthy();
    expect(ready.status).toBe(503);

    redisProcess = (await findOrStartRedis({ port: redisPort, dataDir: redisDir })).process;
    await until(async () => (await fetch(`${stack.apiUrl}/readyz`)).ok, "the API becoming ready again");
    expect((await getJob("survivor-request-1")).status).toBe(202);

    await stack.addWorker();
    await until(async () => (await getJob("survivor-request-1")).status === 200, "the surviving job finishing");
    const after = await indexFaces("after-outage");
    expect(after.status).toBe(200);
    expect(await facesOf("survives-restart")).toBe(1);
  });

  it("answers the requests in flight when the API gets SIGTERM, then exits cleanly", async () => {
    const { response: pending } = await slowNextIndexFaces(1_500, () => indexFaces("api-shutdown"));
    stack.api.child.kill("SIGTERM");

    const response = await pending;
    await until(async () => stack.api.child.exitCode !== null, "the API exiting");

    expect(response.status).toBe(200);
    expect(stack.api.child.exitCode).toBe(0);
    await expect(fetch(`${stack.apiUrl}/healthz`)).rejects.toThrow();
  });
});
