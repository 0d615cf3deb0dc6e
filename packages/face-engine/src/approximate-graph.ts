/**
 * An HNSW graph over descriptor rows (usearch, prebuilt native binaries from its npm package), keyed by
 * row number. It only proposes candidates: vector-index.ts scores them against its own rows, so every
 * similarity returned is the rows' own, and a cheaper vector per row (half precision, or a row codec's int8
 * sketch: rows/row-codec.ts) can only cost recall, which the bench measures (README.md, "A million faces").
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Index, MetricKind, ScalarKind } from "usearch";
import type { GraphLayout } from "./rows/row-codec.ts";

/**
 * Links per node. Measured at 1,000,000 faces (README, "A million faces"): 16 (usearch's default) found the
 * true best match for 97.3 % of queries at expansion 512, 32 for 99.67-100 % (two runs of 300 queries), for
 * +126 MB of graph (508 MB on disk)
 * and ~1.6x the insert cost; a missed best match is a missed duplicate, so the links are worth their memory.
 */
const CONNECTIVITY = 32;
/** Candidate list while inserting: higher builds a better graph, slower (measured in scripts/bench.ts). */
const EXPANSION_ADD = 128;
/**
 * Candidate list while searching (usearch uses max(this, k)). Measured at 1,000,000 faces (scripts/bench.ts,
 * README): with 16 links 128 found the true best match for 90 % of queries, 512 for 97.3 %, 1024 for 99 %; with
 * 32 links 512 finds it for 299-300 of 300 queries; a missed best match is a missed duplicate, so recall is bought
 * while p99 stays under 10 ms.
 */
export const EXPANSION_SEARCH = 512;

export interface ApproximateGraph {
  readonly size: number;
  /** Adds `vectors` (row-major, the layout's dimensions each) under row numbers first, first+1, ... */
  addRows(vectors: Float32Array, first: number): void;
  remove(row: number): void;
  /** Up to k candidate rows, nearest first, for a query in the layout's own form (RowCodec.graphQuery). */
  candidates(query: Float32Array, k: number): number[];
  /** The graph's own file format, as bytes (usearch saves to paths only, so this goes through a temp file). */
  save(): Buffer;
  /** The same bytes written straight to `path`: a million-face graph is ~500 MB, not worth a detour through memory. */
  saveTo(path: string): void;
}

/** A saved graph: its bytes, or the file holding them (loaded in place, without copying it first). */
export type SavedGraph = Buffer | { file: string };

/**
 * `expansionSearch` only changes how searches walk the graph, so a saved graph loads under any value. A saved
 * graph must have been built under `layout` (the caller checks its name): usearch takes a loaded file's
 * metric and scalar kind as they were saved.
 */
export function createApproximateGraph(
  layout: GraphLayout,
  saved?: SavedGraph,
  expansionSearch = EXPANSION_SEARCH,
): ApproximateGraph {
  const { dimensions } = layout;
  const index = new Index({
    dimensions,
    metric: layout.metric === "cos" ? MetricKind.Cos : MetricKind.IP,
    quantization: layout.scalar === "i8" ? ScalarKind.I8 : ScalarKind.F16,
    connectivity: CONNECTIVITY,
    expansion_add: EXPANSION_ADD,
    expansion_search: expansionSearch,
    multi: false,
  });
  if (saved && "file" in saved) index.load(saved.file);
  else if (saved) withTempFile((path) => (writeFileSync(path, saved), index.load(path)));
  // usearch takes the dimensions (and metric and scalar kind) of whatever file it loads. A graph of other
  // dimensions would read past a query's end, so it is refused here; a graph of the same dimensions but another
  // layout (7.0's f16 graph and 8.0's sketch graph are both 128-d) is told apart only by the layout name the
  // caller checks (vector-index.ts).
  if (saved && index.dimensions() !== dimensions) {
    throw new RangeError(`the saved graph holds ${index.dimensions()}-value vectors, expected ${dimensions}`);
  }
  // A graph saved with other links per node (16 before) keeps them after load and in every later insert:
  // it is dropped, so the caller rebuilds it from the rows at today's setting (size 0 = nothing loaded).
  if (saved && index.connectivity() !== CONNECTIVITY) return createApproximateGraph(layout, undefined, expansionSearch);
  return {
    get size() {
      return Number(index.size());
    },
    addRows(vectors, first) {
      const count = vectors.length / dimensions;
      if (count <= 0) return;
      const keys = new BigUint64Array(count);
      for (let i = 0; i < count; i++) keys[i] = BigInt(first + i);
      // threads 0 = every core: folding a batch in is the one bulk step, and it is rare.
      index.add(keys, vectors, 0);
    },
    remove(row) {
      index.remove(BigInt(row));
    },
    candidates(query, k) {
      const found = index.search(query, Math.min(k, Math.max(1, Number(index.size()))), 1);
      return Array.from(found.keys, (key) => Number(key));
    },
    save: () => withTempFile((path) => (index.save(path), readFileSync(path))),
    saveTo: (path) => index.save(path),
  };
}

function withTempFile<T>(use: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "face-graph-"));
  try {
    return use(join(dir, "graph.usearch"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
