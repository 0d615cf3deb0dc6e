/**
 * Rows as little-endian float32 values: every score is the exact one. The graph holds them as f16 and
 * compares inner products (for unit vectors the same order as distance), which only proposes candidates.
 * Face model 7.0's rows: 512 MB at a million faces (README.md, "A million faces").
 */
import type { RowCodec } from "./row-codec.ts";

/** |v|^2 of a unit float32 vector is 1 within ~1e-6; anything further off was not normalised. */
const UNIT_TOLERANCE = 1e-4;

const floats = (rows: Uint8Array, first: number, values: number): Float32Array =>
  new Float32Array(rows.buffer, rows.byteOffset + first * 4, values);

export function float32RowCodec(length: number): RowCodec {
  return {
    encoding: "float32",
    length,
    rowBytes: length * 4,
    graph: { name: `f16-ip-${length}`, dimensions: length, scalar: "f16", metric: "ip" },
    write(rows, row, unit) {
      floats(rows, row * length, length).set(unit);
    },
    read: (rows, row) => floats(rows, row * length, length).slice(),
    dot(query, rows, row) {
      const v = floats(rows, row * length, length);
      let a = 0;
      let b = 0;
      let c = 0;
      let d = 0;
      for (let i = 0; i < length; i += 4) {
        a += query[i]! * v[i]!;
        b += query[i + 1]! * v[i + 1]!;
        c += query[i + 2]! * v[i + 2]!;
        d += query[i + 3]! * v[i + 3]!;
      }
      // Rounded as dotAll's Float32Array output is.
      return Math.fround(a + b + c + d);
    },
    dotAll(query, rows, first, count) {
      // One tight monomorphic loop over local typed arrays (4 partial sums V8 keeps in registers): this loop
      // is the whole cost of a brute-force search.
      const vectors = floats(rows, first * length, count * length);
      const out = new Float32Array(count);
      for (let row = 0, base = 0; row < count; row++, base += length) {
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
    },
    isUnit(rows, row) {
      const v = floats(rows, row * length, length);
      let sum = 0;
      for (let i = 0; i < length; i++) sum += v[i]! * v[i]!;
      return Math.abs(sum - 1) <= UNIT_TOLERANCE;
    },
    direction: (rows, row) => floats(rows, row * length, length).slice(),
    graphVectors: (rows, first, count) => floats(rows, first * length, count * length),
    graphQuery: (query) => query,
  };
}
