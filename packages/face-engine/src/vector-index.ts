/**
 * 1:N face search over unit descriptors stored as rows of one contiguous, growable byte buffer, in the face
 * model's row encoding (rows/row-codec.ts: float32 for 7.0, int8 for 8.0). For unit vectors
 * distance^2 = 2 - 2*dot, so a brute-force search is one dot product per stored face: ~13M multiply-adds for
 * 100k faces of 7.0. From APPROXIMATE_FROM faces on, an HNSW graph (approximate-graph.ts) proposes candidates
 * instead and only those are scored against the rows; the rows added since the graph was last extended (at
 * most FOLD_EVERY) are scanned too. Removal swaps the last row into the hole, so rows stay dense and graph
 * keys stay row numbers. An index holds the descriptors of one face model (options.faceModel): its rows are
 * that model's and its similarities on that model's scale.
 */
import { inBackground } from "@faceindex/common";
import { createApproximateGraph, type ApproximateGraph, type SavedGraph } from "./approximate-graph.ts";
import { FACE_MODEL_7, faceModelOfLength, type FaceModel } from "./face-models.ts";
import type { RowCodec, RowEncoding } from "./rows/row-codec.ts";
import { rowCodecOf } from "./rows/row-codecs.ts";
import { distanceFromSimilarity, similarityFromDistance } from "./similarity.ts";
import { TopK } from "./top-k.ts";

export type { RowEncoding } from "./rows/row-codec.ts";

/** Face model 7.0's descriptor length (an index's own is its faceModel's); kept for callers that predate 8.0. */
export const DESCRIPTOR_LENGTH = FACE_MODEL_7.descriptorLength;

/** Rows allocated before the first growth; doubling after that keeps adds amortised O(1). */
const INITIAL_CAPACITY = 1024;
/**
 * Below this many faces brute force is fast enough (about 3 ms at 20k on one core, scripts/bench.ts) and
 * needs no graph memory or build time; above it the graph's cost grows with log(n), brute force's with n.
 */
export const APPROXIMATE_FROM = 20_000;
/**
 * New rows are scanned exactly until this many are pending, then inserted into the graph in one
 * multi-threaded batch: ~0.8 ms of CPU per insert at 1M faces (32 links), so a fold holds the event loop ~0.4 s on 2 cores.
 */
const FOLD_EVERY = 1024;
/**
 * Rows whose graph vectors are built and added at once: rebuilding a million-face graph would otherwise copy
 * every row to float32 first (2 GB at 8.0); 65 536 rows are at most 128 MB.
 */
const GRAPH_CHUNK = 65_536;
/** Ids mapped per turn of the event loop after a load: ~20 ms here, so a request waits at most that long. */
const MAP_IN_BACKGROUND_CHUNK = 20_000;
/** Graph candidates re-ranked exactly: at least this many, up to twice maxResults while they all pass the threshold. */
const MIN_CANDIDATES = 100;
/** How much the candidate list grows each time its farthest candidate still passes the threshold. */
const WIDEN_BY = 4;

export interface FaceSearchOptions {
  maxResults: number;
  /** 0..100; results below it are left out. */
  minSimilarity: number;
  /** An id never returned (SearchFaces leaves out the face it searches with). */
  excludeId?: string;
}

export interface FaceMatch {
  id: string;
  similarity: number;
}

/** A FaceVectorIndex as plain data: ids in row order and the rows' bytes in their encoding. */
export interface SerialisedFaceVectorIndex {
  ids: string[];
  /** `ids.length` rows of `rowEncoding` (little-endian; the face model's row codec says how wide). */
  vectors: Buffer;
  /**
   * How `vectors` is encoded; default "float32" (everything saved before int8 rows). Rows of another encoding
   * than the model's are converted on load (and their graph rebuilt).
   */
  rowEncoding?: RowEncoding;
  /** The approximate graph over the first rows, when there is one: loading it is far faster than rebuilding it. */
  graph?: Buffer;
  /** Instead of `graph`: the file holding it (serialise({ graphFile }) writes it there), loaded by path. */
  graphFile?: string;
  /**
   * The layout the graph was built under (GraphLayout.name); default the float32 rows' f16 layout, the only
   * one before int8 rows. A graph of another layout than the index's is dropped and rebuilt from the rows.
   */
  graphLayout?: string;
  /**
   * The caller gives the index the whole ArrayBuffer behind `vectors` (4-byte aligned), to keep and write in
   * place, its bytes after the rows as room to grow; the caller must not touch it again. Without it the index
   * copies the rows before its first write: at a million faces that copy into fresh memory stalled the first
   * IndexFaces after a start for ~1.3 s (page faults at ~400 MB/s here), while spare room that is never
   * written costs no resident memory.
   */
  handOver?: boolean;
  /**
   * The caller has made sure the ids are distinct (apps/rekognition-local derives them from its face table):
   * the id -> row map is then built after the load, in the background, instead of as part of it.
   */
  idsKnownUnique?: boolean;
}

export interface FaceVectorIndexOptions {
  /** Size from which searches go through the approximate graph (default APPROXIMATE_FROM; Infinity = never). */
  approximateFrom?: number;
  /** The graph's search expansion (default EXPANSION_SEARCH in approximate-graph.ts): recall against speed. */
  expansionSearch?: number;
  /** The model whose descriptors the index holds (default FACE_MODEL_7): their length, rows and similarity scale. */
  faceModel?: FaceModel;
}

export interface FaceVectorIndex {
  /** Adds a face, or replaces the descriptor of an id already present. The descriptor is normalised. */
  add(id: string, descriptor: Float32Array): void;
  remove(id: string): boolean;
  has(id: string): boolean;
  /** A copy of the id's stored (unit) descriptor, as its row encoding keeps it; undefined when the id is not in the index. */
  descriptorOf(id: string): Float32Array | undefined;
  readonly size: number;
  /** Matches sorted by similarity, highest first. */
  search(descriptor: Float32Array, options: FaceSearchOptions): FaceMatch[];
  /** `graphFile`: write the graph (if any) to this path instead of returning its bytes. */
  serialise(options?: { graphFile?: string }): SerialisedFaceVectorIndex;
  /** Whether searches currently use the approximate graph (for tests and the benchmark). */
  readonly approximate: boolean;
  /** The model of every descriptor added, stored and searched with. */
  readonly faceModel: FaceModel;
  /** Bytes of one stored row (the model's row encoding). */
  readonly rowBytes: number;
  /**
   * A loaded index that had to build its graph from the rows: none was saved, or the saved one was of another
   * layout or link count. The caller saves the new graph, or every load would build it again.
   */
  readonly graphRebuiltAtLoad: boolean;
}

/** Bytes of one row of `model`'s descriptors in `encoding` (default the model's own): for sizing saved rows. */
export function rowBytesOf(model: FaceModel, encoding: RowEncoding = model.rows): number {
  return rowCodecOf(encoding, model).rowBytes;
}

export function createFaceVectorIndex(options: FaceVectorIndexOptions = {}): FaceVectorIndex {
  return buildIndex(options);
}

/**
 * `restored`: rows (unit length, in the model's encoding, at least ids.length of them, 4-byte aligned) and ids
 * in row order, and the saved graph if any. `shared` rows belong to the caller's buffer: they are copied
 * before the index first writes.
 */
function buildIndex(
  options: FaceVectorIndexOptions,
  restored?: { rows: Uint8Array; shared: boolean; ids: string[]; graph?: SavedGraph; idsKnownUnique?: boolean },
): FaceVectorIndex {
  const approximateFrom = options.approximateFrom ?? APPROXIMATE_FROM;
  const faceModel = options.faceModel ?? FACE_MODEL_7;
  const codec = rowCodecOf(faceModel.rows, faceModel);
  const { rowBytes } = codec;
  let rows = restored?.rows ?? new Uint8Array(INITIAL_CAPACITY * rowBytes);
  const ids: string[] = restored?.ids ?? [];
  const rowOf = new Map<string, number>();
  // The id -> row map of a loaded index. Searches need none of it (results name rows' ids), so when the
  // caller vouches that the ids are distinct it is built in the background (inBackground, below): at a
  // million faces it is ~1 s of a server's start here. Whatever needs it first (an add, a removal, a lookup
  // by id) completes it at once.
  let finishIdMap = (): void => {};
  const idMap = (): Map<string, number> => (finishIdMap(), rowOf);
  if (!restored?.idsKnownUnique) {
    ids.forEach((id, row) => rowOf.set(id, row));
    if (rowOf.size !== ids.length) throw new RangeError("serialised index has duplicate ids");
  }
  let shared = restored?.shared ?? false;
  let graph: ApproximateGraph | undefined;
  /** Rows [0, graphRows) are in the graph; the rest are scanned exactly. */
  let graphRows = 0;
  if (restored?.graph) {
    graph = createApproximateGraph(codec.graph, restored.graph, options.expansionSearch);
    graphRows = graph.size;
    if (graphRows > ids.length) throw new RangeError(`the graph holds ${graphRows} rows, the index ${ids.length}`);
  }
  if (restored?.idsKnownUnique) {
    // Started once the load can no longer fail, so a failed load leaves no work behind.
    finishIdMap = inBackground(ids.length, (row) => rowOf.set(ids[row]!, row), MAP_IN_BACKGROUND_CHUNK);
  }

  /** Rows first..first+count-1 into the graph, a chunk at a time: their graph vectors are float32 copies. */
  function addToGraph(first: number, count: number): void {
    for (let done = 0; done < count; done += GRAPH_CHUNK) {
      const chunk = Math.min(GRAPH_CHUNK, count - done);
      graph!.addRows(codec.graphVectors(rows, first + done, chunk), first + done);
    }
  }

  /** Builds the graph once the index is large, and folds pending rows in once there are enough of them. */
  function fold(): void {
    if (ids.length < approximateFrom) return;
    if (!graph) graph = createApproximateGraph(codec.graph, undefined, options.expansionSearch);
    if (ids.length - graphRows < FOLD_EVERY && graphRows > 0) return;
    addToGraph(graphRows, ids.length - graphRows);
    graphRows = ids.length;
  }
  const loadedGraphRows = graphRows;
  if (restored) fold();
  const graphRebuiltAtLoad = restored !== undefined && graphRows > 0 && loadedGraphRows === 0;

  /** Before any write: rows still in the caller's buffer are copied, with room to grow. */
  function own(): void {
    if (!shared) return;
    const copy = new Uint8Array(Math.max(INITIAL_CAPACITY, 2 * ids.length) * rowBytes);
    copy.set(rows.subarray(0, ids.length * rowBytes));
    rows = copy;
    shared = false;
  }

  function writeRow(row: number, descriptor: Float32Array): void {
    own();
    codec.write(rows, row, unitVector(descriptor, faceModel));
  }

  return {
    add(id, descriptor) {
      const existing = idMap().get(id);
      if (existing !== undefined) {
        writeRow(existing, descriptor);
        if (graph && existing < graphRows) {
          graph.remove(existing);
          addToGraph(existing, 1);
        }
        return;
      }
      const row = ids.length;
      own();
      if ((row + 1) * rowBytes > rows.length) {
        const grown = new Uint8Array(Math.max(INITIAL_CAPACITY * rowBytes, rows.length * 2));
        grown.set(rows);
        rows = grown;
      }
      writeRow(row, descriptor);
      ids.push(id);
      idMap().set(id, row);
      fold();
    },
    remove(id) {
      const row = idMap().get(id);
      if (row === undefined) return false;
      const last = ids.length - 1;
      if (graph && row < graphRows) graph.remove(row);
      if (graph && last < graphRows && last !== row) graph.remove(last);
      if (row !== last) {
        const lastId = ids[last]!;
        own();
        rows.copyWithin(row * rowBytes, last * rowBytes, (last + 1) * rowBytes);
        ids[row] = lastId;
        idMap().set(lastId, row);
        // The moved face now lives at `row`: the graph must know it there if that row is a graph row.
        if (graph && row < graphRows) addToGraph(row, 1);
      }
      if (last < graphRows) graphRows--;
      ids.pop();
      idMap().delete(id);
      return true;
    },
    has: (id) => idMap().has(id),
    descriptorOf(id) {
      const row = idMap().get(id);
      // A copy: rows move (removal swaps the last row in) and the buffer is replaced when it grows.
      return row === undefined ? undefined : codec.read(rows, row);
    },
    get size() {
      return ids.length;
    },
    get approximate() {
      return graph !== undefined && graphRows > 0;
    },
    faceModel,
    rowBytes,
    graphRebuiltAtLoad,
    search(descriptor, { maxResults, minSimilarity, excludeId }) {
      if (maxResults <= 0 || ids.length === 0) return [];
      const query = unitVector(descriptor, faceModel);
      // Compare dot products, not similarities: one threshold instead of an exp() per face.
      const maxDistance = distanceFromSimilarity(minSimilarity, faceModel);
      const minDot = Number.isFinite(maxDistance) ? 1 - (maxDistance * maxDistance) / 2 : Number.NEGATIVE_INFINITY;
      const excludedRow = excludeId === undefined ? -1 : (idMap().get(excludeId) ?? -1);
      let top = new TopK(maxResults);
      const offer = (row: number, dot: number): void => {
        if (dot >= minDot && row !== excludedRow) top.offer(row, dot);
      };
      if (graph && graphRows > 0) {
        // Ask the graph for few candidates first and widen only while even the farthest of them still passes the
        // threshold: SearchFacesByImage's default MaxFaces is 4096, and 8193 candidates cost ~100 ms at 1M faces,
        // while the faces above a threshold are usually a handful (README, "A million faces").
        const graphQuery = codec.graphQuery(query);
        const wanted = Math.max(MIN_CANDIDATES, 2 * maxResults + 1);
        for (let k = Math.min(wanted, MIN_CANDIDATES); ; k = Math.min(wanted, k * WIDEN_BY)) {
          top = new TopK(maxResults);
          const candidates = graph.candidates(graphQuery, k);
          let farthest = Number.POSITIVE_INFINITY;
          for (const row of candidates) {
            if (row >= graphRows) continue;
            const d = codec.dot(query, rows, row);
            farthest = Math.min(farthest, d);
            offer(row, d);
          }
          if (k >= wanted || candidates.length < k || farthest < minDot) break;
        }
        const pending = codec.dotAll(query, rows, graphRows, ids.length - graphRows);
        pending.forEach((d, i) => offer(graphRows + i, d));
      } else {
        codec.dotAll(query, rows, 0, ids.length).forEach((d, row) => offer(row, d));
      }
      return top.sortedDescending().map(({ item, score }) => ({
        id: ids[item]!,
        similarity: similarityFromDistance(Math.sqrt(Math.max(0, 2 - 2 * score)), faceModel),
      }));
    },
    serialise({ graphFile } = {}) {
      const used = rows.subarray(0, ids.length * rowBytes);
      const saved = graph && graphRows > 0 ? graph : undefined;
      if (saved && graphFile) saved.saveTo(graphFile);
      return {
        ids: [...ids],
        vectors: Buffer.from(used),
        rowEncoding: codec.encoding,
        ...(saved && { graphLayout: codec.graph.name }),
        ...(saved && (graphFile ? { graphFile } : { graph: saved.save() })),
      };
    },
  };
}

/**
 * Rebuilds an index from serialise()'s output (e.g. read back from disk). Rows in the model's own encoding
 * are used where they lie when the bytes are 4-byte aligned (a Buffer read from disk usually is) and copied on
 * the index's first write, so a load is one read-only pass that checks every row is a unit vector: a million
 * faces' rows are neither copied nor re-added one by one (README, "A million faces"). Rows of another encoding
 * (float32 rows of a model that now keeps int8 ones, saved before it did) are converted, and their graph is
 * rebuilt. The rows are options.faceModel's (default FACE_MODEL_7): the bytes carry no length of their own,
 * so the caller names the model they were saved under.
 */
export function deserialiseFaceVectorIndex(
  data: SerialisedFaceVectorIndex,
  options: FaceVectorIndexOptions = {},
): FaceVectorIndex {
  const faceModel = options.faceModel ?? FACE_MODEL_7;
  const codec = rowCodecOf(faceModel.rows, faceModel);
  const savedCodec = rowCodecOf(data.rowEncoding ?? "float32", faceModel);
  const expected = data.ids.length * savedCodec.rowBytes;
  if (data.vectors.byteLength !== expected) {
    throw new RangeError(
      `serialised index holds ${data.vectors.byteLength} bytes for ${data.ids.length} ids; expected ${expected} ` +
        `(face model ${faceModel.version}: ${faceModel.descriptorLength} values per descriptor, ${savedCodec.encoding} rows)`,
    );
  }
  const aligned = data.vectors.byteOffset % 4 === 0;
  if (data.handOver && !aligned) throw new RangeError("handed-over vectors must start 4-byte aligned");
  // A graph is only as good as the layout it was built under (before int8 rows every graph was float32's).
  const graphLayout = data.graphLayout ?? rowCodecOf("float32", faceModel).graph.name;
  const graph =
    graphLayout !== codec.graph.name ? undefined : data.graphFile !== undefined ? { file: data.graphFile } : data.graph;
  const restored =
    savedCodec.encoding === codec.encoding
      ? rowsInPlace(data, codec, aligned)
      : { rows: convertRows(data, savedCodec, codec), shared: false };
  return buildIndex(
    { ...options, faceModel },
    {
      ...restored,
      ids: [...data.ids],
      ...(graph && { graph }),
      ...(data.idsKnownUnique && { idsKnownUnique: true }),
    },
  );
}

/** The saved rows where they lie (checked, and normalised in a copy where a row is not a unit vector). */
function rowsInPlace(
  data: SerialisedFaceVectorIndex,
  codec: RowCodec,
  aligned: boolean,
): { rows: Uint8Array; shared: boolean } {
  const count = data.ids.length;
  const { buffer, byteOffset } = data.vectors;
  const capacityRows = Math.floor((buffer.byteLength - byteOffset) / codec.rowBytes);
  let rows = aligned
    ? new Uint8Array(buffer, byteOffset, (data.handOver ? capacityRows : count) * codec.rowBytes)
    : Uint8Array.from(data.vectors);
  let shared = aligned && !data.handOver;
  for (let row = 0; row < count; row++) {
    if (codec.isUnit(rows, row)) continue;
    // Not written by serialise() (or damaged): normalise it, in a copy so the caller's bytes stay as they are.
    if (shared) ((rows = Uint8Array.from(data.vectors)), (shared = false));
    codec.write(rows, row, unitVector(codec.direction(rows, row)));
  }
  return { rows, shared };
}

function convertRows(data: SerialisedFaceVectorIndex, from: RowCodec, to: RowCodec): Uint8Array {
  const saved = data.vectors.byteOffset % 4 === 0 ? data.vectors : Uint8Array.from(data.vectors);
  const rows = new Uint8Array(Math.max(INITIAL_CAPACITY, data.ids.length) * to.rowBytes);
  for (let row = 0; row < data.ids.length; row++) to.write(rows, row, unitVector(from.read(saved, row)));
  return rows;
}

/**
 * A unit-length copy of a descriptor; rejects zero or non-finite vectors, and lengths other than `model`'s
 * (without a model, lengths no face model makes: the engines' own descriptors, checked for shape only).
 */
export function unitVector(descriptor: Float32Array, model?: FaceModel): Float32Array {
  if (model === undefined) faceModelOfLength(descriptor.length);
  else if (descriptor.length !== model.descriptorLength) {
    throw new RangeError(
      `a face model ${model.version} descriptor has ${model.descriptorLength} values, got ${descriptor.length}`,
    );
  }
  let norm = 0;
  for (let i = 0; i < descriptor.length; i++) norm += descriptor[i]! * descriptor[i]!;
  norm = Math.sqrt(norm);
  if (!Number.isFinite(norm) || norm === 0) throw new RangeError("a face descriptor must be finite and non-zero");
  const unit = new Float32Array(descriptor.length);
  for (let i = 0; i < descriptor.length; i++) unit[i] = descriptor[i]! / norm;
  return unit;
}
