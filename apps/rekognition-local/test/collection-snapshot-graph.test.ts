/**
 * A large collection's snapshot names a file holding the vector index's approximate graph, so a restart
 * loads it instead of rebuilding it (~0.3-0.5 ms of CPU per face, minutes at a million). Older snapshots
 * (RKL1: face records as JSON, the graph after the rows, or no graph at all) still load. The approximate
 * threshold is lowered so that a few thousand synthetic faces (shaped like real descriptors) are enough and
 * the test stays fast.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  FACE_MODEL_7,
  type FaceMatch,
  type FaceSearchOptions,
  type SerialisedFaceVectorIndex,
} from "@faceindex/face-engine";
import { syntheticFaces } from "@faceindex/face-engine/synthetic-faces";
import type { Collection } from "../src/store/collection.ts";
import { openCollectionStore, type CollectionStore } from "../src/store/collection-store.ts";
import { decodeFaceTable } from "../src/store/face-table.ts";
import { newFace } from "./support/new-face.ts";

/** What the store handed to the engine's deserialiser at each load: whether a saved graph came with the rows. */
const loads = vi.hoisted(() => [] as { faces: number; graphBytes: number; graphFile?: string }[]);
vi.mock("@faceindex/face-engine", async (importOriginal) => {
  const engine = await importOriginal<typeof import("@faceindex/face-engine")>();
  return {
    ...engine,
    deserialiseFaceVectorIndex: (data: SerialisedFaceVectorIndex, options?: object) => {
      loads.push({
        faces: data.ids.length,
        graphBytes: data.graph?.byteLength ?? 0,
        ...(data.graphFile !== undefined && { graphFile: data.graphFile }),
      });
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

/** New collections are model 7.0's, as the synthetic faces' 128-value descriptors are. */
const openStore = (dataDir: string): Promise<CollectionStore> =>
  openCollectionStore({
    dataDir,
    region: "us-east-1",
    faceModel: FACE_MODEL_7,
    vectorIndex: { approximateFrom: APPROXIMATE_FROM },
  });

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

const collectionDir = (dataDir: string): string => join(dataDir, "collections", "c_big");
const snapshotPath = (dataDir: string): string => join(collectionDir(dataDir), "snapshot.bin");
const graphFiles = (dataDir: string): string[] =>
  readdirSync(collectionDir(dataDir)).filter((name) => name.endsWith(".usearch"));

/** An RKL2 snapshot's parts, found the way the store finds them. */
function readSnapshot(dataDir: string) {
  const data = readFileSync(snapshotPath(dataDir));
  expect(data.toString("ascii", 0, 4)).toBe("RKL2");
  const headerLength = data.readUInt32LE(4);
  const header = JSON.parse(data.toString("utf8", 8, 8 + headerLength)) as {
    faceCount: number;
    tableBytes: number;
    graphFile?: string;
    [field: string]: unknown;
  };
  const tableStart = Math.ceil((8 + headerLength) / 8) * 8;
  const rowsStart = Math.ceil((tableStart + header.tableBytes) / 4) * 4;
  const { faces, rowIds } = decodeFaceTable(data.subarray(tableStart, tableStart + header.tableBytes));
  return { data, header, faces, rowIds, rows: data.subarray(rowsStart) };
}

/**
 * Rewrites the collection's snapshot in the RKL1 layout (the face records and row ids as JSON in the header,
 * then the rows, then the graph's bytes when `withGraph`), as builds before the face table wrote it.
 */
function rewriteAsJsonFacesSnapshot(dataDir: string, { withGraph }: { withGraph: boolean }): void {
  const { header, faces, rowIds, rows } = readSnapshot(dataDir);
  const graph = withGraph ? readFileSync(join(collectionDir(dataDir), header.graphFile!)) : Buffer.alloc(0);
  const oldHeader = Buffer.from(
    JSON.stringify({
      meta: header.meta,
      faces,
      ids: rowIds,
      users: header.users,
      ...(withGraph && { graphBytes: graph.byteLength }),
    }),
  );
  const prefix = Buffer.alloc(8);
  prefix.write("RKL1", 0, "ascii");
  prefix.writeUInt32LE(oldHeader.length, 4);
  writeFileSync(snapshotPath(dataDir), Buffer.concat([prefix, oldHeader, rows, graph]));
  for (const name of graphFiles(dataDir)) rmSync(join(collectionDir(dataDir), name));
}

/** A collection whose graph was rebuilt from its rows: every face there, searched through a graph that holds them all. */
function expectRebuiltGraph(collection: Collection, queries: Float32Array[], answers: FaceMatch[][]): void {
  expect(collection.faces.size).toBe(FACES);
  expect(collection.index.approximate).toBe(true);
  // A rebuilt graph is another graph (built in parallel batches): approximate search may differ on a query
  // or two where either graph misses the true best, so the answers agree on nearly all queries, not all.
  const agreeing = queries.filter(
    (query, q) => collection.index.search(query, SEARCH)[0]?.id === answers[q]?.[0]?.id,
  ).length;
  expect(agreeing).toBeGreaterThanOrEqual(queries.length - 3);
  // And the rebuilt graph holds every row: each stored face is its own best match. One sampled face may be
  // missed (an approximate graph built in parallel can, rarely, fail to reach a node from a query); a rebuild
  // that left rows out would fail every sampled face among them (a third of the rows are the pending ones).
  const sampled = [...collection.faces.keys()].filter((_, i) => i % 250 === 0);
  const selfFound = sampled.filter(
    (faceId) =>
      collection.index.search(collection.descriptorOf(faceId)!, { ...SEARCH, maxResults: 1 })[0]?.id === faceId,
  );
  expect(selfFound.length).toBeGreaterThanOrEqual(sampled.length - 1);
}

describe("a large collection's snapshot", () => {
  it("saves the approximate graph in its own file and loads it by path instead of rebuilding it, with the same answers", async () => {
    const { dataDir, queries, answers } = await savedLargeCollection();
    const { header, rows } = readSnapshot(dataDir);
    expect(rows.byteLength).toBe(FACES * 128 * 4);
    expect(graphFiles(dataDir)).toEqual([header.graphFile]);
    const graph = readFileSync(join(collectionDir(dataDir), header.graphFile!));

    const store = await openStore(dataDir);
    expect(loads).toEqual([
      { faces: FACES, graphBytes: 0, graphFile: join(collectionDir(dataDir), header.graphFile!) },
    ]);
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
    // loaded graph back unchanged, byte for byte, under a new name; the old file is gone.
    await store.addImageFaces("big", "one-more", [newFace("one-more", syntheticFaces(13).person())]);
    await store.close();
    const rewritten = readSnapshot(dataDir);
    expect(rewritten.header.graphFile).not.toBe(header.graphFile);
    expect(graphFiles(dataDir)).toEqual([rewritten.header.graphFile]);
    expect(readFileSync(join(collectionDir(dataDir), rewritten.header.graphFile!)).equals(graph)).toBe(true);
  });

  it("loads an RKL1 snapshot with its graph after the rows, the same faces and answers, and writes RKL2 next", async () => {
    const { dataDir, queries, answers } = await savedLargeCollection();
    const before = readSnapshot(dataDir);
    rewriteAsJsonFacesSnapshot(dataDir, { withGraph: true });

    const store = await openStore(dataDir);
    expect(loads).toEqual([{ faces: FACES, graphBytes: expect.any(Number) }]);
    expect(loads[0]!.graphBytes).toBeGreaterThan(0);
    const collection = store.get("big")!;
    expect([...collection.faces.values()]).toEqual(before.faces);
    expect(queries.map((query) => collection.index.search(query, SEARCH))).toEqual(answers);
    await store.addImageFaces("big", "one-more", [newFace("one-more", syntheticFaces(13).person())]);
    await store.close();
    const rewritten = readSnapshot(dataDir);
    expect(rewritten.faces).toHaveLength(FACES + 1);
    expect(graphFiles(dataDir)).toEqual([rewritten.header.graphFile]);
  });

  it("loads an RKL1 snapshot without a graph, rebuilding the graph, with the same best matches on nearly every query", async () => {
    const { dataDir, queries, answers } = await savedLargeCollection();
    // The layout before the graph was saved: no graphBytes in the header, the rows and nothing after them.
    rewriteAsJsonFacesSnapshot(dataDir, { withGraph: false });

    const store = await openStore(dataDir);
    expect(loads).toEqual([{ faces: FACES, graphBytes: 0 }]);
    expectRebuiltGraph(store.get("big")!, queries, answers);
    await store.close();
  });

  it("deletes a graph file the snapshot does not name (a crash before the rename) and keeps the one it does", async () => {
    const { dataDir } = await savedLargeCollection();
    const { header } = readSnapshot(dataDir);
    const leftover = join(collectionDir(dataDir), "graph-00000000-0000-4000-8000-000000000000.usearch");
    writeFileSync(leftover, "half a graph");

    const store = await openStore(dataDir);
    expect(existsSync(leftover)).toBe(false);
    expect(graphFiles(dataDir)).toEqual([header.graphFile]);
    expect(store.get("big")!.index.approximate).toBe(true);
    await store.close();
  });

  it.each([
    ["missing", (path: string) => rmSync(path)],
    ["damaged", (path: string) => writeFileSync(path, readFileSync(path).subarray(0, 1000))],
  ])("rebuilds the graph from the rows when its file is %s, and says so", async (_, harm) => {
    const { dataDir, queries, answers } = await savedLargeCollection();
    const { header } = readSnapshot(dataDir);
    harm(join(collectionDir(dataDir), header.graphFile!));
    const logged: string[] = [];

    const store = await openCollectionStore({
      dataDir,
      region: "us-east-1",
      vectorIndex: { approximateFrom: APPROXIMATE_FROM },
      log: (message) => logged.push(message),
    });
    expect(logged.some((message) => message.includes("rebuilding the graph from the rows"))).toBe(true);
    expectRebuiltGraph(store.get("big")!, queries, answers);
    await store.close();
  });

  it("keeps the last snapshot and its graph when writing the next one fails, leaving no new files", async () => {
    const { dataDir, queries, answers } = await savedLargeCollection();
    const before = readFileSync(snapshotPath(dataDir));
    const graphsBefore = graphFiles(dataDir);
    const store = await openStore(dataDir);
    // A record UTF-8 cannot carry (the API's validation never lets one in) makes the face table refuse it
    // after the new graph file is written.
    const bad = newFace("bad", syntheticFaces(14).person());
    await store.addImageFaces("big", "bad", [{ ...bad, face: { ...bad.face, externalImageId: "bad-\uD800" } }]);
    await expect(store.close()).rejects.toThrow(/well-formed/);
    expect(readFileSync(snapshotPath(dataDir)).equals(before)).toBe(true);
    expect(graphFiles(dataDir)).toEqual(graphsBefore);
    expect(readdirSync(collectionDir(dataDir)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
    // The journal still holds the change, and the old snapshot still loads.
    rmSync(join(collectionDir(dataDir), "journal.ndjson"));
    const reopened = await openStore(dataDir);
    expect(queries.map((query) => reopened.get("big")!.index.search(query, SEARCH))).toEqual(answers);
    await reopened.close();
  });

  it("saves a graph it had to rebuild at the next close, even with nothing journalled", async () => {
    const { dataDir } = await savedLargeCollection();
    rmSync(join(collectionDir(dataDir), readSnapshot(dataDir).header.graphFile!));
    await (await openStore(dataDir)).close();
    const { header } = readSnapshot(dataDir);
    expect(graphFiles(dataDir)).toEqual([header.graphFile]);
    loads.length = 0;
    await (await openStore(dataDir)).close();
    expect(loads).toEqual([
      { faces: FACES, graphBytes: 0, graphFile: join(collectionDir(dataDir), header.graphFile!) },
    ]);
  });

  it("rebuilds a graph saved under another layout than the index builds, and saves the new one at the next close", async () => {
    const { dataDir } = await savedLargeCollection();
    const { data, header: before } = readSnapshot(dataDir);
    const headerLength = data.readUInt32LE(4);
    const header = data.toString("utf8", 8, 8 + headerLength);
    expect(header).toContain('"graphLayout":"f16-ip-128"');
    // Same length, so nothing after the header moves: only the layout name differs.
    const other = header.replace('"graphLayout":"f16-ip-128"', '"graphLayout":"x16-ip-128"');
    writeFileSync(
      snapshotPath(dataDir),
      Buffer.concat([data.subarray(0, 8), Buffer.from(other), data.subarray(8 + headerLength)]),
    );
    const store = await openStore(dataDir);
    expect(store.get("big")!.index.graphRebuiltAtLoad).toBe(true);
    await store.close(); // nothing journalled
    const { header: after } = readSnapshot(dataDir);
    expect(after.graphFile).not.toBe(before.graphFile);
    expect(after.graphLayout).toBe("f16-ip-128");
    const reopened = await openStore(dataDir);
    expect(reopened.get("big")!.index.graphRebuiltAtLoad).toBe(false);
    await reopened.close();
  });

  it("refuses to start from a snapshot whose graph file name points outside its folder", async () => {
    const { dataDir } = await savedLargeCollection();
    const { data } = readSnapshot(dataDir);
    const headerLength = data.readUInt32LE(4);
    const header = data.toString("utf8", 8, 8 + headerLength);
    const name = (JSON.parse(header) as { graphFile: string }).graphFile;
    // Same length, so the layout after the header is unchanged: only the name is hostile.
    const hostile = `../../${name}`.slice(0, name.length).padEnd(name.length, "x");
    writeFileSync(
      snapshotPath(dataDir),
      Buffer.concat([data.subarray(0, 8), Buffer.from(header.replace(name, hostile)), data.subarray(8 + headerLength)]),
    );

    await expect(openStore(dataDir)).rejects.toThrow(/names graph file/);
  });
});
