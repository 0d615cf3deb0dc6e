import { describe, expect, it } from "vitest";
import { createFaceVectorIndex, deserialiseFaceVectorIndex, type FaceVectorIndex } from "@faceindex/face-engine";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Index, MetricKind, ScalarKind } from "usearch";
import { syntheticFaces } from "../scripts/synthetic-faces.ts";

/** Small enough for a fast test, large enough that the graph holds most faces and pending rows remain. */
const FACES = 4000;
const APPROXIMATE_FROM = 1000;

function fill(index: FaceVectorIndex, count: number): Float32Array[] {
  const faces = syntheticFaces(7);
  const people: Float32Array[] = [];
  for (let i = 0; i < count; i++) {
    const person = faces.person();
    people.push(person);
    index.add(`face-${i}`, faces.photo(person));
  }
  return people;
}

describe("the approximate index above its threshold", () => {
  it("finds the same best match as brute force for new photos of stored people", () => {
    const approximate = createFaceVectorIndex({ approximateFrom: APPROXIMATE_FROM });
    const exact = createFaceVectorIndex({ approximateFrom: Infinity });
    const people = fill(approximate, FACES);
    fill(exact, FACES);
    expect(approximate.approximate).toBe(true);
    expect(exact.approximate).toBe(false);
    const probes = syntheticFaces(99);
    let agree = 0;
    const queries = 300;
    for (let q = 0; q < queries; q++) {
      const query = probes.photo(people[(q * 19) % FACES]!);
      const a = approximate.search(query, { maxResults: 5, minSimilarity: 0 });
      const e = exact.search(query, { maxResults: 5, minSimilarity: 0 });
      if (a[0]?.id === e[0]?.id) agree++;
      // Re-ranking is exact: a face both return has the same similarity.
      for (const m of a) {
        const same = e.find((x) => x.id === m.id);
        if (same) expect(m.similarity).toBe(same.similarity);
      }
    }
    // The graph is built by multi-threaded inserts, whose order (and so the graph) differs run to run: most runs
    // agree on 299-300 of 300, some on 298 (a full-suite run on 2026-12-02). 0.99 still fails for a graph that
    // proposes poor candidates; the recall target itself (99.5 % at a million faces) is the bench's to measure.
    expect(agree / queries).toBeGreaterThanOrEqual(0.99);
  });

  it("answers as brute force does after removals and replacements in graph and pending rows", () => {
    const approximate = createFaceVectorIndex({ approximateFrom: APPROXIMATE_FROM });
    const exact = createFaceVectorIndex({ approximateFrom: Infinity });
    const people = fill(approximate, FACES);
    fill(exact, FACES);
    const faces = syntheticFaces(5);
    const removed = new Set<string>();
    for (let i = 0; i < FACES; i += 7) removed.add(`face-${i}`);
    for (const index of [approximate, exact]) for (const id of removed) expect(index.remove(id)).toBe(true);
    const moved = faces.photo(faces.person());
    for (const index of [approximate, exact]) index.add("face-1", moved); // a graph row gets a new descriptor
    expect(approximate.search(moved, { maxResults: 1, minSimilarity: 99 })[0]?.id).toBe("face-1");
    expect(approximate.size).toBe(FACES - removed.size);
    let agree = 0;
    let queries = 0;
    for (let i = 2; i < FACES; i += 13) {
      const query = faces.photo(people[i]!);
      const a = approximate.search(query, { maxResults: 3, minSimilarity: 0 }).map((m) => m.id);
      const e = exact.search(query, { maxResults: 3, minSimilarity: 0 }).map((m) => m.id);
      expect(
        a.filter((id) => removed.has(id)),
        "removed faces are never returned",
      ).toEqual([]);
      if (a[0] === e[0]) agree++;
      queries++;
    }
    expect(agree / queries).toBeGreaterThanOrEqual(0.99);
  });

  it("saves the graph with the rows and loads it back with the same answers", () => {
    const index = createFaceVectorIndex({ approximateFrom: APPROXIMATE_FROM });
    const people = fill(index, FACES);
    index.remove("face-10");
    const data = index.serialise();
    expect(data.graph?.byteLength).toBeGreaterThan(0);
    const copy = deserialiseFaceVectorIndex(data, { approximateFrom: APPROXIMATE_FROM });
    expect(copy.approximate).toBe(true);
    expect(copy.size).toBe(FACES - 1);
    const probes = syntheticFaces(3);
    for (let i = 0; i < FACES; i += 331) {
      const query = probes.photo(people[i]!);
      expect(copy.search(query, { maxResults: 3, minSimilarity: 0 })).toEqual(
        index.search(query, { maxResults: 3, minSimilarity: 0 }),
      );
    }
    // An old snapshot has no graph: the graph is built again at load.
    const rebuilt = deserialiseFaceVectorIndex({ ids: data.ids, vectors: data.vectors }, { approximateFrom: 1000 });
    expect(rebuilt.approximate).toBe(true);
    expect(rebuilt.search(probes.photo(people[20]!), { maxResults: 1, minSimilarity: 0 })[0]?.id).toBe("face-20");
  });

  it("returns every face above the threshold even when they outnumber the first candidates (large MaxFaces)", () => {
    const approximate = createFaceVectorIndex({ approximateFrom: APPROXIMATE_FROM });
    const exact = createFaceVectorIndex({ approximateFrom: Infinity });
    const faces = syntheticFaces(11);
    const twin = faces.person();
    // 3000 strangers and 500 photos of one person: the first 100 candidates all pass 80, so the search widens.
    for (let i = 0; i < 3500; i++) {
      const photo = i % 7 === 0 ? faces.photo(twin) : faces.photo(faces.person());
      approximate.add(`face-${i}`, photo);
      exact.add(`face-${i}`, photo);
    }
    const query = faces.photo(twin);
    const options = { maxResults: 4096, minSimilarity: 80 };
    const truth = exact.search(query, options);
    expect(truth.length).toBeGreaterThan(400);
    const found = approximate.search(query, options);
    expect(found.length).toBeGreaterThanOrEqual(Math.floor(truth.length * 0.99));
    expect(found.slice(0, 10)).toEqual(truth.slice(0, 10));
    // With few matches the answer is the same as brute force's.
    const stranger = faces.photo(faces.person());
    expect(approximate.search(stranger, options)).toEqual(exact.search(stranger, options));
  });

  it("rebuilds a graph saved with other links per node instead of keeping it", () => {
    const index = createFaceVectorIndex({ approximateFrom: APPROXIMATE_FROM });
    const people = fill(index, 2000);
    const data = index.serialise();
    // The graph a snapshot from before the change to 32 links holds: 16 links, keys = row numbers.
    const old = new Index(graphConfig(16));
    const rows = new Float32Array(data.vectors.buffer, data.vectors.byteOffset, data.vectors.byteLength / 4);
    old.add(
      BigUint64Array.from(data.ids, (_, i) => BigInt(i)),
      rows,
      1,
    );
    const dir = mkdtempSync(join(tmpdir(), "old-graph-"));
    try {
      old.save(join(dir, "g"));
      const oldGraph = readFileSync(join(dir, "g"));
      const loaded = deserialiseFaceVectorIndex({ ...data, graph: oldGraph }, { approximateFrom: APPROXIMATE_FROM });
      expect(loaded.search(syntheticFaces(5).photo(people[42]!), { maxResults: 1, minSimilarity: 0 })[0]?.id).toBe(
        "face-42",
      );
      const resaved = new Index(graphConfig(16)); // load() replaces the configured links with the file's
      loadGraphInto(loaded.serialise().graph, dir, resaved);
      expect(resaved.connectivity()).toBe(32);
      expect(Number(resaved.size())).toBe(2000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function graphConfig(connectivity: number) {
  const base = { dimensions: 128, metric: MetricKind.IP, quantization: ScalarKind.F16 };
  return { ...base, connectivity, expansion_add: 128, expansion_search: 64, multi: false };
}

/** Loads saved graph bytes into `into` (usearch loads from paths only). */
function loadGraphInto(graph: Buffer | undefined, dir: string, into: Index): void {
  if (!graph) throw new Error("no graph saved");
  const path = join(dir, "resaved");
  writeFileSync(path, graph);
  into.load(path);
}
