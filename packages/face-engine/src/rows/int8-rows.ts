/**
 * Rows as one signed byte a value plus a float32 scale: value i is round(127 x_i / max|x|), and the scale is
 * 1 / |those bytes|, so a row read back is a unit vector again. A quarter of float32's memory, so face model
 * 8.0's 512-d rows take 516 MB at a million faces instead of 2 GB (README.md, "A million faces").
 *
 * What it costs in precision: each value is off by at most max|x|/254 (~0.0006 for an 8.0 descriptor, whose
 * largest value is ~0.14), which moves a query's dot product with a row by ~0.0003 and its similarity by at most
 * 0.29 over the fixtures' 73 712 pairs of 8.0 descriptors, at similarity ~56 where 8.0's curve is steepest
 * (test/int8-rows.test.ts holds it under 0.35). The query itself is never quantized. Face model 7.0 keeps
 * float32 rows: its distances are a third of 8.0's and its curve steeper, so the same error would move its
 * similarities several times as far, and its float32 rows already fit the million-face budget.
 *
 * The approximate graph holds a 128-value sketch of each row instead of the row: value j sums the row's
 * values j, j+128, j+256, ... with fixed random signs (a sparse random projection, which keeps distances
 * roughly: same-person pairs stay far closer than strangers), quantized to int8 and compared by cosine, so
 * its scale does not matter. It only proposes candidates, scored against the rows themselves; at 128 bytes
 * a row the graph of a million faces is ~430 MB instead of ~1 GB for the rows' own bytes.
 */
import type { RowCodec } from "./row-codec.ts";

/** Values of a row's sketch: the graph's dimensions (measured: README.md, "1 000 000 faces of face model 8.0"). */
const SKETCH_DIMENSIONS = 128;

/**
 * The sketch's signs. Saved graphs were built with them, so they must never change: a change needs a new
 * layout name (below), which makes every saved graph be rebuilt.
 */
function sketchSigns(length: number): Int8Array {
  // mulberry32 from a fixed seed: small and deterministic (Math.random cannot be seeded).
  let state = 0x5eed1e55;
  const signs = new Int8Array(length);
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    signs[i] = ((t ^ (t >>> 14)) >>> 0) & 1 ? 1 : -1;
  }
  return signs;
}

/** `values` scaled so that the largest magnitude is 127, rounded: how both rows and sketches are stored. */
function quantize(values: Float32Array | Float64Array, out: Int8Array): void {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]!));
  const factor = max > 0 ? 127 / max : 0;
  for (let i = 0; i < values.length; i++) out[i] = Math.round(values[i]! * factor);
}

export function int8RowCodec(length: number): RowCodec {
  if (length % 4 !== 0) throw new RangeError(`int8 rows need a length that is a multiple of 4, got ${length}`);
  const rowBytes = length + 4;
  const sketchDimensions = Math.min(SKETCH_DIMENSIONS, length);
  const signs = sketchSigns(length);
  const bytesOf = (rows: Uint8Array): Int8Array => new Int8Array(rows.buffer, rows.byteOffset, rows.byteLength);
  const scalesOf = (rows: Uint8Array): Float32Array =>
    new Float32Array(rows.buffer, rows.byteOffset, Math.floor(rows.byteLength / 4));
  const scaleIndex = (row: number): number => (row * rowBytes + length) / 4;
  const sketchInto = (values: ArrayLike<number>, offset: number, out: Int8Array, at: number): void => {
    const sums = new Float64Array(sketchDimensions);
    for (let i = 0, j = 0; i < length; i++, j = (j + 1) % sketchDimensions) {
      sums[j] = sums[j]! + signs[i]! * values[offset + i]!;
    }
    quantize(sums, out.subarray(at, at + sketchDimensions));
  };

  function dotAll(query: Float32Array, rows: Uint8Array, first: number, count: number): Float32Array {
    const values = bytesOf(rows);
    const scales = scalesOf(rows);
    const out = new Float32Array(count);
    for (let row = first, k = 0; k < count; row++, k++) {
      const base = row * rowBytes;
      let a = 0;
      let b = 0;
      let c = 0;
      let d = 0;
      for (let i = 0; i < length; i += 4) {
        a += query[i]! * values[base + i]!;
        b += query[i + 1]! * values[base + i + 1]!;
        c += query[i + 2]! * values[base + i + 2]!;
        d += query[i + 3]! * values[base + i + 3]!;
      }
      out[k] = (a + b + c + d) * scales[scaleIndex(row)]!;
    }
    return out;
  }

  return {
    encoding: "int8",
    length,
    rowBytes,
    graph: {
      name: `i8-cos-sketch${sketchDimensions}-of-${length}-v1`,
      dimensions: sketchDimensions,
      scalar: "i8",
      metric: "cos",
    },
    write(rows, row, unit) {
      const values = bytesOf(rows).subarray(row * rowBytes, row * rowBytes + length);
      quantize(unit, values);
      let squares = 0;
      for (let i = 0; i < length; i++) squares += values[i]! * values[i]!;
      scalesOf(rows)[scaleIndex(row)] = 1 / Math.sqrt(squares);
    },
    read(rows, row) {
      const values = bytesOf(rows);
      const scale = scalesOf(rows)[scaleIndex(row)]!;
      const out = new Float32Array(length);
      for (let i = 0; i < length; i++) out[i] = values[row * rowBytes + i]! * scale;
      return out;
    },
    // dotAll's own arithmetic for one row, so the graph path and the brute-force path agree exactly.
    dot: (query, rows, row) => dotAll(query, rows, row, 1)[0]!,
    dotAll,
    squaredNorm(rows, row) {
      const values = bytesOf(rows);
      const scale = scalesOf(rows)[scaleIndex(row)]!;
      let sum = 0;
      for (let i = 0; i < length; i++) sum += values[row * rowBytes + i]! ** 2;
      return sum * scale * scale;
    },
    graphVectors(rows, first, count) {
      const values = bytesOf(rows);
      const out = new Int8Array(count * sketchDimensions);
      for (let k = 0; k < count; k++) sketchInto(values, (first + k) * rowBytes, out, k * sketchDimensions);
      return out;
    },
    graphQuery(query) {
      const out = new Int8Array(sketchDimensions);
      sketchInto(query, 0, out, 0);
      return out;
    },
  };
}
