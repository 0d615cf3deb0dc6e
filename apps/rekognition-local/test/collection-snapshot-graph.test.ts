/**
 * A large collection's snapshot carries the vector index's approximate graph, so a restart loads it instead
 * of rebuilding it (~0.3-0.5 ms of CPU per face, minutes at a million); a snapshot written before the graph
 * was saved still loads, with the graph rebuilt. The approximate threshold is lowered so that a few thousand
 * synthetic faces (shaped like real descriptors) are enough and the test stays fast.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { FaceMatch, FaceSearchOptions, SerialisedFaceVectorIndex } from "@faceindex/face-engine";
import { syntheticFaces } from "@faceindex/face-engine/synthetic-faces";
import { openCollectionStore, type CollectionStore } from "../src/store/collection-store.ts";
import { newFace } from "./support/new-face.ts";

/** What the store handed to the engine's deserialiser at each load: whether a saved graph came with the rows. */
const loads = vi.hoisted(() => [] as { faces: number; graphBytes: number }[]);
vi.mock("@faceindex/face-engine", async (importOriginal) => {
  const engine = await importOriginal<typeof import("@faceindex/face-engine")>();
  return {
    ...engine,
    deserialiseFaceVectorIndex: (data: SerialisedFaceVectorIndex, options?: object) => {
      loads.push({ faces: data.ids.length, graphBytes: data.graph?.byteLength ?? 0 });
      return engine.deserialiseFaceVectorIndex(data, options);
    },
  };
});

/** 2000 faces go into the graph at once; the last 1000 stay pending (scanned exactly), and are saved as rows. */
const APPROXIMATE_FROM = 2000;
const FACES = 3000;
const PER_IMAGE = 100;
const SEARCH: FaceSearchOptions = { maxResults: 10, minSimilarity: 0 };

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  loads.length = 0;
});

const openStore = (dataDir: string): Promise<CollectionStore> =>
  openCollectionStore({ dataDir, region: "us-east-1", vectorIndex: { approximateFrom: APPROXIMATE_FROM } });

/**
 * A closed store holding FACES synthetic faces in collection "big", new photos of some of its people, and
 * what searching with them answered before the store was closed.
 */
async function savedLargeCollection(): Promise<{ dataDir: string; queries: Float32Array[]; answers: FaceMatch[][] }> {
  const dataDir = mkdtempSync(join(tmpdir(), "collection-graph-test-"));
  roots.push(dataDir);
  const store = await openStore(dataDir);
  await store.create("big");
  const faces = syntheticFaces(11);
  const people: Float32Array[] = [];
  for (let image = 0; image < FACES / PER_IMAGE; image++) {
    const batch = Array.from({ length: PER_IMAGE }, () => {
      const person = faces.person();
      people.push(person);
      return newFace(`image-${image}`, faces.photo(person));
    });
    await store.addImageFaces("big", `image-${image}`, batch);
  }
  expect(store.get("big")!.index.approximate).toBe(true);
  // People both in the graph and among the pending rows.
  const probes = syntheticFaces(12);
  const queries = people.filter((_, i) => i % 97 === 0).map((person) => probes.photo(person));
  const answers = queries.map((query) => store.get("big")!.index.search(query, SEARCH));
  await store.close(); // folds the journal into a snapshot
  return { dataDir, queries, answers };
}

const snapshotPath = (dataDir: string): string => join(dataDir, "collections", "c_big", "snapshot.bin");

/** The snapshot's JSON header and what follows it. */
function readSnapshot(dataDir: string): { header: Record<string, unknown>; body: Buffer } {
  const data = readFileSync(snapshotPath(dataDir));
  const headerLength = data.readUInt32LE(4);
  return { header: JSON.parse(data.toString("utf8", 8, 8 + headerLength)), body: data.subarray(8 + headerLength) };
}

describe("a large collection's snapshot", () => {
  it("saves the approximate graph and loads it back instead of rebuilding it, with the same answers", async () => {
    const { dataDir, queries, answers } = await savedLargeCollection();
    const { header, body } = readSnapshot(dataDir);
    const rowBytes = FACES * 128 * 4;
    expect(header.graphBytes).toBeGreaterThan(0);
    expect(body.byteLength).toBe(rowBytes + (header.graphBytes as number));

    const store = await openStore(dataDir);
    expect(loads).toEqual([{ faces: FACES, graphBytes: header.graphBytes }]);
    const collection = store.get("big")!;
    expect(collection.faces.size).toBe(FACES);
    expect(collection.index.approximate).toBe(true);
    expect(queries.map((query) => collection.index.search(query, SEARCH))).toEqual(answers);
    // Every stored face is its own best match, whether its row is in the graph or pending.
    for (const faceId of [...collection.faces.keys()].filter((_, i) => i % 250 === 0)) {
      const [best] = collection.index.search(collection.descriptorOf(faceId)!, { ...SEARCH, maxResults: 1 });
      expect(best?.id).toBe(faceId);
    }

    // Loaded, not rebuilt: a rebuild would have put all FACES rows in the graph, the saved one holds
    // APPROXIMATE_FROM. One more face stays pending (not in the graph), so the next snapshot writes the
    // loaded graph back unchanged, byte for byte.
    await store.addImageFaces("big", "one-more", [newFace("one-more", syntheticFaces(13).person())]);
    await store.close();
    const rewritten = readSnapshot(dataDir);
    expect(rewritten.header.graphBytes).toBe(header.graphBytes);
    expect(rewritten.body.subarray(rowBytes + 128 * 4).equals(body.subarray(rowBytes))).toBe(true);
  });

  it("loads an old snapshot without a graph, rebuilding the graph, with the same best matches on nearly every query", async () => {
    const { dataDir, queries, answers } = await savedLargeCollection();
    // The layout before the graph was saved: no graphBytes in the header, the rows and nothing after them.
    const { header, body } = readSnapshot(dataDir);
    delete header.graphBytes;
    const oldHeader = Buffer.from(JSON.stringify(header));
    const prefix = Buffer.alloc(8);
    prefix.write("RKL1", 0, "ascii");
    prefix.writeUInt32LE(oldHeader.length, 4);
    writeFileSync(snapshotPath(dataDir), Buffer.concat([prefix, oldHeader, body.subarray(0, FACES * 128 * 4)]));

    const store = await openStore(dataDir);
    expect(loads).toEqual([{ faces: FACES, graphBytes: 0 }]);
    const collection = store.get("big")!;
    expect(collection.faces.size).toBe(FACES);
    expect(collection.index.approximate).toBe(true);
    // A rebuilt graph is another graph (built in parallel batches): approximate search may differ on a query
    // or two where either graph misses the true best, so the answers agree on nearly all queries, not all.
    const agreeing = queries.filter(
      (query, q) => collection.index.search(query, SEARCH)[0]?.id === answers[q]?.[0]?.id,
    ).length;
    expect(agreeing).toBeGreaterThanOrEqual(queries.length - 3);
    // And the rebuilt graph holds every row: each stored face is its own best match.
    for (const faceId of [...collection.faces.keys()].filter((_, i) => i % 250 === 0)) {
      const [best] = collection.index.search(collection.descriptorOf(faceId)!, { ...SEARCH, maxResults: 1 });
      expect(best?.id).toBe(faceId);
    }
    await store.close();
  });
});
