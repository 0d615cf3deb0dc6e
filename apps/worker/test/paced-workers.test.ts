/**
 * Pacing against the real local Rekognition with its quota on (REKOGNITION_TPS_LIMIT): two workers
 * sharing the Redis bucket at the quota are never throttled, where the same load unpaced is; and
 * with no quota configured, the workers adapt after the first throttles.
 */
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { facePhoto, localRekognitionClient, uniqueName } from "@faceindex/testing";
import { createRateBucket } from "../src/adapters/redis/rate-bucket.ts";
import { createFaceCollection } from "../src/adapters/rekognition/face-collection.ts";
import { createFaceDetector } from "../src/adapters/rekognition/face-detector.ts";
import { createFaceIndex } from "../src/adapters/rekognition/face-index.ts";
import { ensureCollection } from "../src/adapters/rekognition/ensure-collection.ts";
import { createImageStore } from "../src/adapters/s3/image-store.ts";
import { paceClient } from "../src/runtime/paced-client.ts";
import { createWorkers } from "../src/workers.ts";
import { enqueueIndexJob, startIndexWorkers, startLocalParts, waitForJob, type LocalParts } from "./helpers.ts";

// Low enough that two workers x 4 slots on the fast load-test engine would exceed it many times over.
const QUOTA = 2;
const JOBS = 16;
const collectionId = uniqueName("paced-faces");
let parts: LocalParts;

beforeAll(async () => {
  parts = await startLocalParts("paced", inject("redisUrl"), { mode: "load-test", loadTestLatencyMs: 5 }, QUOTA);
  await ensureCollection(createFaceIndex(parts.rekognition), collectionId, pino({ level: "silent" }));
});

afterAll(async () => {
  await parts?.close();
});

/** Runs JOBS index jobs on two workers, each with its own client (paced by `tps` when given); counts throttles. */
async function run(pacing: { tps: number | undefined } | undefined) {
  const throttles: string[] = [];
  const logger = pino(
    { level: "warn" },
    { write: (line: string) => void (line.includes("pausing every worker") && throttles.push(line)) },
  );
  const prefix = `{${uniqueName("paced")}}`;
  const client = () => {
    const rekognition = localRekognitionClient(parts.rekognitionUrl);
    if (!pacing) return rekognition;
    const bucket = createRateBucket({ redis: parts.redis, prefix, ratePerSecond: () => pacing.tps });
    paceClient(rekognition, "rekognition", bucket);
    return rekognition;
  };
  const [one, two] = [client(), client()];
  const settings = { collectionId, logger, concurrency: 4, throttlePauseMs: 100 };
  const first = startIndexWorkers(parts, {
    ...settings,
    faceIndex: createFaceIndex(one),
    faceCollection: createFaceCollection(one),
    faceDetector: createFaceDetector(one),
  });
  // A second worker process on the same queue, with a client (and a bucket object) of its own.
  const second = createWorkers(
    {
      ...settings,
      redis: parts.redis,
      prefix: first.prefix,
      imageStore: createImageStore(parts.s3),
      faceIndex: createFaceIndex(two),
      faceCollection: createFaceCollection(two),
      faceDetector: createFaceDetector(two),
    },
    ["index"],
  );
  const { queue } = first;
  try {
    const image = facePhoto("same/A000371_1.jpg");
    const target = { redis: parts.redis, queue, prefix: first.prefix, bucket: parts.bucket };
    const ids = await Promise.all(
      Array.from(
        { length: JOBS },
        async (_, i) => (await enqueueIndexJob(target, image, { jobId: uniqueName(`p${i}`) })).jobId,
      ),
    );
    const finished = await Promise.all(ids.map((id) => waitForJob(queue, id, 90_000)));
    return { statuses: finished.map((job) => job.outcome?.status), throttles: throttles.length };
  } finally {
    await second.close();
    await first.close();
    one.destroy();
    two.destroy();
  }
}

describe("paced workers", () => {
  it("are never throttled when paced at the quota, where the same load unpaced is", async () => {
    const unpaced = await run(undefined);
    expect(unpaced.throttles).toBeGreaterThan(0);
    // The unpaced burst filled the server's one-second window: let it drain, or the paced run pays for it.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const paced = await run({ tps: QUOTA });
    expect(paced.statuses).toEqual(Array(JOBS).fill("indexed"));
    expect(paced.throttles).toBe(0);
  });

  it("without a configured quota, adapt: throttled at first, then far fewer throttles than unpaced", async () => {
    const unpaced = await run(undefined);
    const adaptive = await run({ tps: undefined });
    expect(adaptive.statuses).toEqual(Array(JOBS).fill("indexed"));
    expect(adaptive.throttles).toBeLessThan(unpaced.throttles);
  });
});
