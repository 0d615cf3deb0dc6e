/**
 * Brute-force 1:N face search over unit descriptors stored in one contiguous, growable Float32Array.
 * For unit vectors distance^2 = 2 - 2*dot, so a search is one dot product per stored face: ~13M
 * multiply-adds for 100k faces, a few milliseconds, with no approximate index to tune or rebuild.
 * Removal swaps the last row into the hole, so rows stay dense.
 */
import { distanceFromSimilarity, similarityFromDistance } from "./similarity.ts";
import { TopK } from "./top-k.ts";

export const DESCRIPTOR_LENGTH = 128;

/** Rows allocated before the first growth; doubling after that keeps adds amortised O(1). */
const INITIAL_CAPACITY = 1024;

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
}

export interface FaceVectorIndex {
  /** Adds a face, or replaces the descriptor of an id already present. The descriptor is normalised. */
  add(id: string, descriptor: Float32Array): void;
  remove(id: string): boolean;
  has(id: string): boolean;
  readonly size: number;
  /** Matches sorted by similarity, highest first. */
  search(descriptor: Float32Array, options: FaceSearchOptions): FaceMatch[];
  serialise(): SerialisedFaceVectorIndex;
}

export function createFaceVectorIndex(): FaceVectorIndex {
  let vectors = new Float32Array(INITIAL_CAPACITY * DESCRIPTOR_LENGTH);
  const ids: string[] = [];
  const rowOf = new Map<string, number>();

  function writeRow(row: number, descriptor: Float32Array): void {
    vectors.set(unitVector(descriptor), row * DESCRIPTOR_LENGTH);
  }

  return {
    add(id, descriptor) {
      const existing = rowOf.get(id);
      if (existing !== undefined) return writeRow(existing, descriptor);
      const row = ids.length;
      if ((row + 1) * DESCRIPTOR_LENGTH > vectors.length) {
        const grown = new Float32Array(vectors.length * 2);
        grown.set(vectors);
        vectors = grown;
      }
      writeRow(row, descriptor);
      ids.push(id);
      rowOf.set(id, row);
    },
    remove(id) {
      const row = rowOf.get(id);
      if (row === undefined) return false;
      const last = ids.length - 1;
      if (row !== last) {
        const lastId = ids[last]!;
        vectors.copyWithin(row * DESCRIPTOR_LENGTH, last * DESCRIPTOR_LENGTH, (last + 1) * DESCRIPTOR_LENGTH);
        ids[row] = lastId;
        rowOf.set(lastId, row);
      }
      ids.pop();
      rowOf.delete(id);
      return true;
    },
    has: (id) => rowOf.has(id),
    get size() {
      return ids.length;
    },
    search(descriptor, { maxResults, minSimilarity, excludeId }) {
      if (maxResults <= 0 || ids.length === 0) return [];
      const query = unitVector(descriptor);
      // Compare dot products, not similarities: one threshold instead of an exp() per face.
      const maxDistance = distanceFromSimilarity(minSimilarity);
      const minDot = Number.isFinite(maxDistance) ? 1 - (maxDistance * maxDistance) / 2 : Number.NEGATIVE_INFINITY;
      const excludedRow = excludeId === undefined ? -1 : (rowOf.get(excludeId) ?? -1);
      const top = new TopK(maxResults);
      const rows = ids.length;
      const scores = dotProducts(vectors, rows, query);
      for (let row = 0; row < rows; row++) {
        const dot = scores[row]!;
        if (dot >= minDot && row !== excludedRow) top.offer(row, dot);
      }
      return top.sortedDescending().map(({ item, score }) => ({
        id: ids[item]!,
        similarity: similarityFromDistance(Math.sqrt(Math.max(0, 2 - 2 * score))),
      }));
    },
    serialise() {
      const used = vectors.subarray(0, ids.length * DESCRIPTOR_LENGTH);
      return {
        ids: [...ids],
        vectors: Buffer.from(used.buffer.slice(used.byteOffset, used.byteOffset + used.byteLength)),
      };
    },
  };
}

/**
 * query . row for every row, as one tight monomorphic loop over local typed arrays (4 partial sums so
 * V8 can keep them in registers); this loop is the whole cost of a search.
 */
function dotProducts(vectors: Float32Array, rows: number, query: Float32Array): Float32Array {
  const out = new Float32Array(rows);
  for (let row = 0, base = 0; row < rows; row++, base += DESCRIPTOR_LENGTH) {
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    for (let i = 0; i < DESCRIPTOR_LENGTH; i += 4) {
      a += query[i]! * vectors[base + i]!;
      b += query[i + 1]! * vectors[base + i + 1]!;
      c += query[i + 2]! * vectors[base + i + 2]!;
      d += query[i + 3]! * vectors[base + i + 3]!;
    }
    out[row] = a + b + c + d;
  }
  return out;
}

/** Rebuilds an index from serialise()'s output (e.g. read back from disk). */
export function deserialiseFaceVectorIndex(data: SerialisedFaceVectorIndex): FaceVectorIndex {
  if (data.vectors.byteLength !== data.ids.length * DESCRIPTOR_LENGTH * 4) {
    throw new RangeError(
      `serialised index holds ${data.vectors.byteLength} bytes for ${data.ids.length} ids; expected ${data.ids.length * DESCRIPTOR_LENGTH * 4}`,
    );
  }
  // Copy into an aligned buffer: a Buffer read from disk may start at any byte offset.
  const rows = new Float32Array(new Uint8Array(data.vectors).buffer);
  const index = createFaceVectorIndex();
  data.ids.forEach((id, row) => index.add(id, rows.subarray(row * DESCRIPTOR_LENGTH, (row + 1) * DESCRIPTOR_LENGTH)));
  return index;
}

/** A unit-length copy of a descriptor; rejects wrong lengths and zero or non-finite vectors. */
export function unitVector(descriptor: Float32Array): Float32Array {
  if (descriptor.length !== DESCRIPTOR_LENGTH) {
    throw new RangeError(`a face descriptor has ${DESCRIPTOR_LENGTH} values, got ${descriptor.length}`);
  }
  let norm = 0;
  for (let i = 0; i < descriptor.length; i++) norm += descriptor[i]! * descriptor[i]!;
  norm = Math.sqrt(norm);
  if (!Number.isFinite(norm) || norm === 0) throw new RangeError("a face descriptor must be finite and non-zero");
  const unit = new Float32Array(DESCRIPTOR_LENGTH);
  for (let i = 0; i < descriptor.length; i++) unit[i] = descriptor[i]! / norm;
  return unit;
}
