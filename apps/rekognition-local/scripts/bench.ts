/**
 * Short, bounded measurements of rekognition-local on 127.0.0.1 (see README.md "Measurements"):
 * 1. IndexFaces throughput and latency through the SDK on the load-test engine (protocol + journal cost);
 * 2. a 100k-face collection: snapshot write, start-up load, SearchFacesByImage and IndexFaces latency.
 * Usage: pnpm --filter @faceindex/rekognition-local bench [requests=600] [concurrency=8] [faces=100000] [model=8.0]
 * (`model`: the face model of the large collection and of the server's new collections, default the latest).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { randomBytes, randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateCollectionCommand, IndexFacesCommand, SearchFacesByImageCommand } from "@aws-sdk/client-rekognition";
import { createFaceEngine, LATEST_FACE_MODEL, requireFaceModel } from "@faceindex/face-engine";
import { syntheticFaces } from "@faceindex/face-engine/synthetic-faces";
import { facePhoto, localRekognitionClient, localS3Client } from "@faceindex/testing";
import { startRekognitionServer } from "../src/server.ts";
import { openCollectionStore } from "../src/store/collection-store.ts";

const [requests = 600, concurrency = 8, faces = 100_000] = process.argv.slice(2, 5).map(Number);
const faceModel = requireFaceModel(process.argv[5] ?? LATEST_FACE_MODEL.version);
console.log(`face model ${faceModel.version} (${faceModel.descriptorLength}-d, ${faceModel.rows} rows)`);
const root = mkdtempSync(join(tmpdir(), "rekognition-bench-"));
const engine = await createFaceEngine({ mode: "load-test", loadTestLatencyMs: 0, log: () => {} });
// S3 is not used (every image goes as Bytes): port 9 (discard) so a stray S3Object call fails at once.
const s3 = localS3Client("http://127.0.0.1:9");
const base = facePhoto("same/obama_1.jpg");
const image = (n: number) => Buffer.concat([base, Buffer.from(`#${n}`)]);
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(1);

async function timeCalls(count: number, call: (n: number) => Promise<unknown>): Promise<string> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const n = next++;
        const t = performance.now();
        await call(n);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return `${count} calls, concurrency ${concurrency}: ${(count / seconds).toFixed(0)}/s, p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms`;
}

try {
  // 1. IndexFaces on an empty collection.
  let server = await startRekognitionServer({ engine, dataDir: join(root, "a"), s3, faceModel });
  let rekognition = localRekognitionClient(server.url);
  await rekognition.send(new CreateCollectionCommand({ CollectionId: "bench" }));
  console.log(
    "IndexFaces (load-test engine):",
    await timeCalls(requests, (n) =>
      rekognition.send(new IndexFacesCommand({ CollectionId: "bench", Image: { Bytes: image(n) } })),
    ),
  );
  rekognition.destroy();
  await server.close();

  // 2. A large collection, written through the store in batches of 1000 faces. The descriptors are shaped like
  // real ones (synthetic-faces.ts; uniform random vectors are a far harder case for the graph and build ~4x
  // slower), the records like faceindex's: an external id and a sha256 image key each.
  const dataDir = join(root, "b");
  const store = await openCollectionStore({ dataDir, region: "us-east-1", faceModel });
  await store.create("big");
  const people = syntheticFaces(21, { faceModel });
  for (let batch = 0; batch < faces / 1000; batch++) {
    const newFaces = Array.from({ length: 1000 }, (_, i) => ({
      face: {
        faceId: randomUUID(),
        imageId: randomUUID(),
        externalImageId: `customer-${batch * 1000 + i}`,
        box: { left: 0.3, top: 0.2, width: 0.4, height: 0.5 },
        confidence: 99,
        imageKey: randomBytes(32).toString("hex"),
      },
      descriptor: people.photo(people.person()),
    }));
    await store.addImageFaces("big", `batch-${batch}`, newFaces);
  }
  let t = performance.now();
  await store.close();
  console.log(`${faces} faces: snapshot at close ${(performance.now() - t).toFixed(0)} ms`);
  t = performance.now();
  server = await startRekognitionServer({ engine, dataDir, s3, faceModel });
  console.log(`${faces} faces: server start (load snapshot) ${(performance.now() - t).toFixed(0)} ms`);
  rekognition = localRekognitionClient(server.url);
  console.log(
    `SearchFacesByImage over ${faces} faces:`,
    await timeCalls(Math.min(requests, 200), (n) =>
      rekognition.send(new SearchFacesByImageCommand({ CollectionId: "big", Image: { Bytes: image(n) } })),
    ),
  );
  console.log(
    `IndexFaces into ${faces} faces:`,
    await timeCalls(Math.min(requests, 200), (n) =>
      rekognition.send(new IndexFacesCommand({ CollectionId: "big", Image: { Bytes: image(n + 1e6) } })),
    ),
  );
  rekognition.destroy();
  await server.close();
} finally {
  await engine.close();
  rmSync(root, { recursive: true, force: true });
}
