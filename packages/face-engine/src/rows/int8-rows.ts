/**
 * Rows as one signed byte a value plus a float32 scale: value i is round(127 x_i / max|x|), and the scale is
 * 1 / |those bytes|, so a row read back is a unit vector again. A quarter of float32's memory, so face model
 * 8.0's 512-d rows take 516 MB at a million faces instead of 2 GB (README.md, "A million faces").
 *
 * What it costs in precision: rounding moves each value by up to max|x|/254 (~0.0006 for an 8.0 descriptor,
 * whose largest value is ~0.14), ~1.25x that after the renormalisation, which moves a dot product by ~0.0003.
 * Measured (scripts/int8-precision.ts, over the fixtures' 73 712 ordered pairs of 8.0 descriptors): a
 * similarity moves by at most 0.29 when an image's descriptor (never quantized) is searched against stored rows,
 * and by at most 0.45 when both sides are stored rows (SearchFaces by FaceId and the Users operations search
 * with a row read back); both worst cases are near similarity 56, where 8.0's curve is steepest.
 * test/int8-rows.test.ts holds the synthetic worst case under 0.5. Face model 7.0 keeps float32 rows: its
 * distances are a third of 8.0's and its curve steeper, so the same error would move its similarities several
 * times as far, and its float32 rows already fit the million-face budget.
 *
 * The approximate graph holds a 128-value sketch of each row instead of the row: value j sums the row's
 * values j, j+128, j+256, ... with fixed random signs (a sparse random projection, which keeps distances
 * roughly: same-person pairs stay far closer than strangers). usearch quantizes it to int8 and compares by
 * cosine. It only proposes candidates, scored against the rows themselves; at 128 bytes a row the graph of a
 * million faces is ~430 MB (the full 512 values as int8 would be ~1 GB: README.md, "How the layout was chosen").
 */
import { seededRandom } from "../seeded-random.ts";
import type { RowCodec } from "./row-codec.ts";

/** Values of a row's sketch: the graph's dimensions (chosen by measurement: README.md, "How the layout was chosen"). */
const SKETCH_DIMENSIONS = 128;

/**
 * The sketch's signs. Saved graphs were built with them, so they must never change: a change needs a new
 * layout name (below), which makes every saved graph be rebuilt.
 */
function sketchSigns(length: number): Int8Array {
  const random = seededRandom(0x5eed1e55);
  // The low bit of each 32-bit output (random() is that integer over 2^32, exactly), as the signs were first drawn.
  return Int8Array.from({ length }, () => ((random() * 4294967296) & 1 ? 1 : -1));
}

/** `values` scaled so that the largest magnitude is 127, rounded: how a row's values are stored. */
function quantize(values: Float32Array, out: Int8Array): void {
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
  // Views of the index's buffer, made again only when it hands over another (it grows by reallocation):
  // scoring graph candidates calls dot() a few hundred times a search.
  let viewed: Uint8Array | undefined;
  let bytes: Int8Array = new Int8Array(0);
  let scales: Float32Array = new Float32Array(0);
  const view = (rows: Uint8Array): void => {
    if (rows === viewed) return;
    viewed = rows;
    bytes = new Int8Array(rows.buffer, rows.byteOffset, rows.byteLength);
    scales = new Float32Array(rows.buffer, rows.byteOffset, Math.floor(rows.byteLength / 4));
  };
  const scaleIndex = (row: number): number => (row * rowBytes + length) / 4;
  /** The sketch of `length` values from values[offset] on, into out[at..at+sketchDimensions). */
  const sketchInto = (values: ArrayLike<number>, offset: number, out: Float32Array, at: number): void => {
    for (let i = 0; i < length; i++) {
      const j = at + (i % sketchDimensions);
      out[j] = out[j]! + signs[i]! * values[offset + i]!;
    }
  };
  const squaresOf = (values: Int8Array, base: number): number => {
    let squares = 0;
    for (let i = 0; i < length; i++) squares += values[base + i]! * values[base + i]!;
    return squares;
  };

  /** query . row, before dotAll's Float32Array rounds it; the arrays are parameters so V8 keeps them local. */
  function rowDot(query: Float32Array, values: Int8Array, rowScales: Float32Array, row: number): number {
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
    return (a + b + c + d) * rowScales[scaleIndex(row)]!;
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
      view(rows);
      quantize(unit, bytes.subarray(row * rowBytes, row * rowBytes + length));
      scales[scaleIndex(row)] = 1 / Math.sqrt(squaresOf(bytes, row * rowBytes));
    },
    read(rows, row) {
      view(rows);
      const scale = scales[scaleIndex(row)]!;
      const out = new Float32Array(length);
      for (let i = 0; i < length; i++) out[i] = bytes[row * rowBytes + i]! * scale;
      return out;
    },
    // Rounded as dotAll's Float32Array output is, so the graph path and the brute-force path agree exactly.
    dot(query, rows, row) {
      view(rows);
      return Math.fround(rowDot(query, bytes, scales, row));
    },
    dotAll(query, rows, first, count) {
      view(rows);
      const out = new Float32Array(count);
      const values = bytes;
      const rowScales = scales;
      for (let k = 0; k < count; k++) out[k] = rowDot(query, values, rowScales, first + k);
      return out;
    },
    // The scale must be the one write() gives the bytes (positive, 1/|bytes|): a negated or damaged scale
    // would flip or void every score of the row while a check of |row|^2 alone still passed.
    isUnit(rows, row) {
      view(rows);
      const expected = 1 / Math.sqrt(squaresOf(bytes, row * rowBytes));
      return scales[scaleIndex(row)]! > 0 && Math.abs(scales[scaleIndex(row)]! / expected - 1) <= 1e-6;
    },
    direction(rows, row) {
      view(rows);
      return Float32Array.from(bytes.subarray(row * rowBytes, row * rowBytes + length));
    },
    graphVectors(rows, first, count) {
      view(rows);
      const out = new Float32Array(count * sketchDimensions);
      for (let k = 0; k < count; k++) sketchInto(bytes, (first + k) * rowBytes, out, k * sketchDimensions);
      return out;
    },
    graphQuery(query) {
      const out = new Float32Array(sketchDimensions);
      sketchInto(query, 0, out, 0);
      return out;
    },
  };
}
