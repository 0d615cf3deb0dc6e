/**
 * `pnpm chaos`: a bounded load against the local stack (load-test engine, 127.0.0.1 only) while a worker is
 * SIGKILLed twice, the Rekognition server is SIGKILLed once (both started again by the stack's supervision,
 * as `pnpm start` does) and Redis (its own redis-server, AOF on) is SIGKILLed and restarted once. Clients
 * behave as real ones should: a 503/504 or a hung attempt is retried with the same Idempotency-Key. Prints
 * what was sent, how it was answered, and what the collection holds.
 * Target: 0 hung, 0 lost, 0 duplicates, 0 answered 400 (an outage is never the caller's fault).
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { duplicateExternalIds, listCollectionFaces } from "./collection-faces.ts";
import { startThrowawayStack } from "./throwaway-stack.ts";
import { findOrStartRedis } from "./redis-server.ts";

const requests = Number(process.env.REQUESTS ?? 300);
const concurrency = Number(process.env.CONCURRENCY ?? 16);
// The API's default wait; an attempt without an answer 5 s past it counts as hung.
const syncTimeoutMs = 30_000;
const hungAfterMs = syncTimeoutMs + 5_000;
// A client gives up on a request after this long; none should come close.
const requestDeadlineMs = 180_000;
const photo = readFileSync(fileURLToPath(new URL("../../testing/fixtures/faces/same/obama_1.jpg", import.meta.url)));

const dataDir = mkdtempSync(join(tmpdir(), "faceindex-chaos-"));
const redisPort = Number(process.env.CHAOS_REDIS_PORT ?? 6392);
const startRedis = async () => (await findOrStartRedis({ port: redisPort, dataDir: join(dataDir, "redis") })).process;
let redis: ChildProcess | undefined = await startRedis();
const stack = await startThrowawayStack({
  name: "chaos",
  faceEngine: "load-test",
  redisUrl: `redis://127.0.0.1:${redisPort}`,
  workers: 2,
  // Killed workers and the killed Rekognition server come back by themselves, as under pnpm start.
  supervise: true,
  extraEnv: {
    LOG_LEVEL: "error",
    LOAD_TEST_LATENCY_MS: "50",
    WORKER_CONCURRENCY: "8",
    SYNC_TIMEOUT_MS: String(syncTimeoutMs),
  },
  stdio: "ignore",
}).catch((error: unknown) => {
  // The try/finally below is not entered yet: stop our redis-server and remove its data here.
  redis?.kill("SIGTERM");
  rmSync(dataDir, { recursive: true, force: true });
  throw error;
});
const { token, bucket, collectionId } = stack;

const attempts = new Map<string, number>();
const finals = new Map<string, number>();
let hung = 0;
let finished = 0;
const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

try {
  const image = photo.toString("base64");
  const started = performance.now();

  async function send(i: number): Promise<number | "gave up"> {
    const deadline = Date.now() + requestDeadlineMs;
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`${stack.apiUrl}/index_faces`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${token}`,
            "content-type": "application/json",
            "idempotency-key": `chaos-${collectionId}-${i}`,
          },
          body: JSON.stringify({ image, bucket, image_key: `c/${i}.jpg`, external_image_id: `chaos-${i}` }),
          signal: AbortSignal.timeout(hungAfterMs),
        });
        await response.arrayBuffer();
        count(attempts, String(response.status));
        if (response.status !== 503 && response.status !== 504) return response.status;
        await sleep(Number(response.headers.get("retry-after") ?? 1) * 1000);
      } catch (error) {
        const timedOut = (error as Error).name === "TimeoutError";
        if (timedOut) hung += 1;
        count(attempts, timedOut ? "hung" : "connection error");
        await sleep(1_000);
      }
    }
    return "gave up";
  }

  async function chaos(): Promise<void> {
    const at = async (done: number) => {
      while (finished < done) await sleep(20);
    };
    await at(requests * 0.15);
    stack.workers[0]?.child.kill("SIGKILL");
    console.log(`chaos: SIGKILL worker 1 after ${finished} answers (the stack restarts it)`);
    await at(requests * 0.3);
    stack.rekognition.child.kill("SIGKILL");
    console.log(`chaos: SIGKILL the Rekognition server after ${finished} answers (the stack restarts it)`);
    await at(requests * 0.5);
    redis?.kill("SIGKILL");
    console.log(`chaos: SIGKILL redis after ${finished} answers; restarting it in 2 s`);
    await sleep(2_000);
    redis = await startRedis();
    await at(requests * 0.75);
    stack.workers[1]?.child.kill("SIGKILL");
    console.log(`chaos: SIGKILL worker 2 after ${finished} answers (the stack restarts it)`);
  }

  let next = 0;
  const chaosDone = chaos();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const i = next++;
        count(finals, String(await send(i)));
        finished += 1;
      }
    }),
  );
  await chaosDone;
  const seconds = (performance.now() - started) / 1000;

  const faces = await listCollectionFaces(stack.rekognitionUrl, collectionId);
  const indexedIds = new Set(faces.map((face) => face.externalImageId));
  const ok = finals.get("200") ?? 0;
  const lost = requests - [...Array(requests).keys()].filter((i) => indexedIds.has(`chaos-${i}`)).length;
  console.log(`chaos (load-test engine, ${concurrency} concurrent clients, ${seconds.toFixed(1)} s)`);
  console.log(`  requests sent        ${requests} (${[...attempts.values()].reduce((a, b) => a + b, 0)} attempts)`);
  console.log(`  final answers        ${JSON.stringify(Object.fromEntries(finals))}`);
  console.log(`  attempts by status   ${JSON.stringify(Object.fromEntries(attempts))}`);
  console.log(`  hung attempts        ${hung} (no answer within ${hungAfterMs / 1000} s)`);
  console.log(`  faces in collection  ${faces.length} for ${ok} answered 200`);
  console.log(`  lost                 ${lost} (requests without a face)`);
  console.log(`  duplicates           ${duplicateExternalIds(faces).length} (external ids with more than one face)`);
  console.log(`  503 retried          ${attempts.get("503") ?? 0} attempts (Redis restart, Rekognition restart)`);
  console.log(`  400 answers          ${attempts.get("400") ?? 0} (must be 0: no outage is the caller's fault)`);
  console.log(
    `  restarts             rekognition ${stack.rekognition.restarts}, workers ${stack.workers.map((w) => w.restarts).join("/")}`,
  );
} finally {
  await stack.stop();
  redis?.kill("SIGTERM");
  await sleep(500);
  rmSync(dataDir, { recursive: true, force: true });
}
