/**
 * 1:N face search over unit descriptors stored in one contiguous, growable Float32Array (exact rows).
 * For unit vectors distance^2 = 2 - 2*dot, so a brute-force search is one dot product per stored face:
 * ~13M multiply-adds for 100k faces. From APPROXIMATE_FROM faces on, an HNSW graph (approximate-graph.ts)
 * proposes candidates instead and only those are scored, exactly, against the rows; the rows added since
 * the graph was last extended (at most FOLD_EVERY) are scanned exactly too. Removal swaps the last row into
 * the hole, so rows stay dense and graph keys stay row numbers. An index holds the descriptors of one face
 * model (options.faceModel): its rows are that model's length and its similarities on that model's scale.
 */
import { inBackground } from "@faceindex/common";
import { createApproximateGraph, type ApproximateGraph, type SavedGraph } from "./approximate-graph.ts";
import { FACE_MODEL_7, faceModelOfLength, type FaceModel } from "./face-models.ts";
import { distanceFromSimilarity, similarityFromDistance } from "./similarity.ts";
import { TopK } from "./top-k.ts";

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

/** A FaceVectorIndex as plain data: ids in row order and the rows as little-endian float32 bytes. */
export interface SerialisedFaceVectorIndex {
  ids: string[];
  vectors: Buffer;
  /** The approximate graph over the first rows, when there is one: loading it is far faster than rebuilding it. */
  graph?: Buffer;
  /** Instead of `graph`: the file holding it (serialise({ graphFile }) writes it there), loaded by path. */
  graphFile?: string;
  /**
   * The caller gives the index the whole ArrayBuffer behind `vectors` (float-aligned), to keep and write in
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
  /** The model whose descriptors the index holds (default FACE_MODEL_7): their length and similarity scale. */
  faceModel?: FaceModel;
}

export interface FaceVectorIndex {
  /** Adds a face, or replaces the descriptor of an id already present. The descriptor is normalised. */
  add(id: string, descriptor: Float32Array): void;
  remove(id: string): boolean;
  has(id: string): boolean;
  /** A copy of the id's stored (unit) descriptor; undefined when the id is not in the index. */
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
}

export function createFaceVectorIndex(options: FaceVectorIndexOptions = {}): FaceVectorIndex {
  return buildIndex(options);
}

/**
 * `restored`: rows (unit length, at least ids.length of them) and ids in row order, and the saved graph if any.
 * `shared` rows belong to the caller's buffer: they are copied before the index first writes.
 */
function buildIndex(
  options: FaceVectorIndexOptions,
  restored?: { rows: Float32Array; shared: boolean; ids: string[]; graph?: SavedGraph; idsKnownUnique?: boolean },
): FaceVectorIndex {
  const approximateFrom = options.approximateFrom ?? APPROXIMATE_FROM;
  const faceModel = options.faceModel ?? FACE_MODEL_7;
  const length = rowLength(faceModel);
  let vectors = restored?.rows ?? new Float32Array(INITIAL_CAPACITY * length);
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
    graph = createApproximateGraph(length, restored.graph, options.expansionSearch);
    graphRows = graph.size;
    if (graphRows > ids.length) throw new RangeError(`the graph holds ${graphRows} rows, the index ${ids.length}`);
  }
  if (restored?.idsKnownUnique) {
    // Started once the load can no longer fail, so a failed load leaves no work behind.
    finishIdMap = inBackground(ids.length, (row) => rowOf.set(ids[row]!, row), MAP_IN_BACKGROUND_CHUNK);
  }

  const rowVector = (row: number): Float32Array => vectors.subarray(row * length, (row + 1) * length);

  /** Builds the graph once the index is large, and folds pending rows in once there are enough of them. */
  function fold(): void {
    if (ids.length < approximateFrom) return;
    if (!graph) graph = createApproximateGraph(length, undefined, options.expansionSearch);
    if (ids.length - graphRows < FOLD_EVERY && graphRows > 0) return;
    graph.addRows(vectors, graphRows, ids.length - graphRows);
    graphRows = ids.length;
  }
  if (restored) fold();

  /** Before any write: rows still in the caller's buffer are copied, with room to grow. */
  function own(): void {
    if (!shared) return;
    const copy = new Float32Array(Math.max(INITIAL_CAPACITY, 2 * ids.length) * length);
    copy.set(vectors.subarray(0, ids.length * length));
    vectors = copy;
    shared = false;
  }

  function writeRow(row: number, descriptor: Float32Array): void {
    own();
    vectors.set(unitVector(descriptor, faceModel), row * length);
  }

  return {
    add(id, descriptor) {
      const existing = idMap().get(id);
      if (existing !== undefined) {
        writeRow(existing, descriptor);
        if (graph && existing < graphRows) {
          graph.remove(existing);
          graph.addRows(vectors, existing, 1);
        }
        return;
      }
      const row = ids.length;
      own();
      if ((row + 1) * length > vectors.length) {
        const grown = new Float32Array(Math.max(INITIAL_CAPACITY * length, vectors.length * 2));
        grown.set(vectors);
        vectors = grown;
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
        vectors.copyWithin(row * length, last * length, (last + 1) * length);
        ids[row] = lastId;
        idMap().set(lastId, row);
        // The moved face now lives at `row`: the graph must know it there if that row is a graph row.
        if (graph && row < graphRows) graph.addRows(vectors, row, 1);
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
      return row === undefined ? undefined : rowVector(row).slice();
    },
    get size() {
      return ids.length;
    },
    get approximate() {
      return graph !== undefined && graphRows > 0;
    },
    faceModel,
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
        const wanted = Math.max(MIN_CANDIDATES, 2 * maxResults + 1);
        for (let k = Math.min(wanted, MIN_CANDIDATES); ; k = Math.min(wanted, k * WIDEN_BY)) {
          top = new TopK(maxResults);
          const candidates = graph.candidates(query, k);
          let farthest = Number.POSITIVE_INFINITY;
          for (const row of candidates) {
            if (row >= graphRows) continue;
            const d = dot(query, rowVector(row));
            farthest = Math.min(farthest, d);
            offer(row, d);
          }
          if (k >= wanted || candidates.length < k || farthest < minDot) break;
        }
        const pending = dotProducts(vectors.subarray(graphRows * length), ids.length - graphRows, query);
        pending.forEach((d, i) => offer(graphRows + i, d));
      } else {
        dotProducts(vectors, ids.length, query).forEach((d, row) => offer(row, d));
      }
      return top.sortedDescending().map(({ item, score }) => ({
        id: ids[item]!,
        similarity: similarityFromDistance(Math.sqrt(Math.max(0, 2 - 2 * score)), faceModel),
      }));
    },
    serialise({ graphFile } = {}) {
      const used = vectors.subarray(0, ids.length * length);
      const saved = graph && graphRows > 0 ? graph : undefined;
      if (saved && graphFile) saved.saveTo(graphFile);
      return {
        ids: [...ids],
        vectors: Buffer.from(used.buffer.slice(used.byteOffset, used.byteOffset + used.byteLength)),
        ...(saved && (graphFile ? { graphFile } : { graph: saved.save() })),
      };
    },
  };
}

/**
 * A model's descriptor length, checked to be a multiple of 4: the dot-product loops below are unrolled by 4
 * with no tail, so any other length would silently leave its last values out of every score.
 */
function rowLength(model: FaceModel): number {
  const length = model.descriptorLength;
  if (!Number.isInteger(length) || length <= 0 || length % 4 !== 0) {
    throw new RangeError(`face model ${model.version}: descriptor length ${length} is not a positive multiple of 4`);
  }
  return length;
}

/**
 * query . row for one row, summed exactly as dotProducts does, so both paths give identical scores. The row
 * length is the query's (unitVector checked it against the index's model).
 */
function dot(query: Float32Array, row: Float32Array): number {
  const length = query.length;
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  for (let i = 0; i < length; i += 4) {
    a += query[i]! * row[i]!;
    b += query[i + 1]! * row[i + 1]!;
    c += query[i + 2]! * row[i + 2]!;
    d += query[i + 3]! * row[i + 3]!;
  }
  // Rounded as dotProducts' Float32Array output is.
  return Math.fround(a + b + c + d);
}

/**
 * query . row for every row, as one tight monomorphic loop over local typed arrays (4 partial sums so
 * V8 can keep them in registers); this loop is the whole cost of a search.
 */
function dotProducts(vectors: Float32Array, rows: number, query: Float32Array): Float32Array {
  const length = query.length;
  const out = new Float32Array(rows);
  for (let row = 0, base = 0; row < rows; row++, base += length) {
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    for (let i = 0; i < length; i += 4) {
      a += query[i]! * vectors[base + i]!;
      b += query[i + 1]! * vectors[base + i + 1]!;
      c += query[i + 2]! * vectors[base + i + 2]!;
      d += query[i + 3]! * vectors[base + i + 3]!;
    }
    out[row] = a + b + c + d;
  }
  return out;
}

/**
 * Rebuilds an index from serialise()'s output (e.g. read back from disk). The rows are used where they lie
 * when the bytes are float-aligned (a Buffer read from disk usually is) and copied on the index's first
 * write, so a load is one read-only pass that checks every row is a unit vector: a million faces' 512 MB
 * are neither copied nor re-added one by one (README, "A million faces"). The rows are options.faceModel's
 * (default FACE_MODEL_7): the bytes carry no length of their own, so the caller names the model they were
 * saved under.
 */
export function deserialiseFaceVectorIndex(
  data: SerialisedFaceVectorIndex,
  options: FaceVectorIndexOptions = {},
): FaceVectorIndex {
  const faceModel = options.faceModel ?? FACE_MODEL_7;
  const length = rowLength(faceModel);
  if (data.vectors.byteLength !== data.ids.length * length * 4) {
    throw new RangeError(
      `serialised index holds ${data.vectors.byteLength} bytes for ${data.ids.length} ids; ` +
        `expected ${data.ids.length * length * 4} (face model ${faceModel.version}: ${length} values per descriptor)`,
    );
  }
  const aligned = data.vectors.byteOffset % Float32Array.BYTES_PER_ELEMENT === 0;
  if (data.handOver && !aligned) throw new RangeError("handed-over vectors must start float-aligned");
  const { buffer, byteOffset } = data.vectors;
  const capacityRows = Math.floor((buffer.byteLength - byteOffset) / (length * 4));
  let rows = aligned
    ? new Float32Array(buffer, byteOffset, (data.handOver ? capacityRows : data.ids.length) * length)
    : copyRows(data.vectors);
  let shared = aligned && !data.handOver;
  for (let row = 0; row < data.ids.length; row++) {
    const v = rows.subarray(row * length, (row + 1) * length);
    if (Math.abs(squaredNorm(v) - 1) <= UNIT_TOLERANCE) continue;
    // Not written by serialise() (or damaged): normalise it, in a copy so the caller's bytes stay as they are.
    if (shared) ((rows = copyRows(data.vectors)), (shared = false));
    rows.set(unitVector(rows.subarray(row * length, (row + 1) * length), faceModel), row * length);
  }
  const graph = data.graphFile !== undefined ? { file: data.graphFile } : data.graph;
  return buildIndex(
    { ...options, faceModel },
    {
      rows,
      shared,
      ids: [...data.ids],
      ...(graph && { graph }),
      ...(data.idsKnownUnique && { idsKnownUnique: true }),
    },
  );
}

/** |v|^2 of a unit float32 vector is 1 within ~1e-6; anything further off was not normalised. */
const UNIT_TOLERANCE = 1e-4;

function squaredNorm(v: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  return sum;
}

function copyRows(bytes: Buffer): Float32Array {
  const rows = new Float32Array(bytes.byteLength / Float32Array.BYTES_PER_ELEMENT);
  new Uint8Array(rows.buffer).set(bytes);
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
