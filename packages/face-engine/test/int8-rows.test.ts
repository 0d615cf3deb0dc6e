import { describe, expect, it } from "vitest";
import { FACE_MODEL_8, faceSimilarity, similarityFromDistance } from "@faceindex/face-engine";
import { seededRandom } from "@faceindex/face-engine/synthetic-faces";
import { int8RowCodec } from "../src/rows/int8-rows.ts";

const codec = int8RowCodec(FACE_MODEL_8.descriptorLength);

/**
 * Pairs of unit 512-d vectors with Gaussian values (as face model 8.0's are: the largest value of a fixture's
 * descriptor is ~0.14, of these ~0.16) at distances spread over 0.7-1.5, the whole of 8.0's similarity curve.
 */
function pairs(count: number): [Float32Array, Float32Array][] {
  const random = seededRandom(11);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const unit = (v: Float32Array): Float32Array => {
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  };
  return Array.from({ length: count }, (_, i) => {
    const a = unit(Float32Array.from({ length: 512 }, gaussian));
    const other = Float32Array.from({ length: 512 }, gaussian);
    const along = other.reduce((sum, x, k) => sum + x * a[k]!, 0);
    const across = unit(other.map((x, k) => x - along * a[k]!));
    const distance = 0.7 + (0.8 * i) / count;
    const angle = 2 * Math.asin(distance / 2);
    return [a, a.map((x, k) => Math.cos(angle) * x + Math.sin(angle) * across[k]!)];
  });
}

describe("int8 rows (face model 8.0)", () => {
  it("read back as unit vectors close to what was written", () => {
    const rows = new Uint8Array(codec.rowBytes * 3);
    const [a, b] = pairs(1)[0]!;
    codec.write(rows, 2, a);
    codec.write(rows, 0, b);
    expect(codec.isUnit(rows, 2)).toBe(true);
    const back = codec.read(rows, 2);
    expect(back.reduce((sum, x) => sum + x * x, 0)).toBeCloseTo(1, 6);
    const worst = Math.max(...Array.from(a, (x, i) => Math.abs(x - back[i]!)));
    const largest = Math.max(...Array.from(a, Math.abs));
    expect(worst).toBeLessThanOrEqual(largest / 127);
  });

  it("move a similarity by less than 0.5 at 8.0's scale, query or both sides stored, and score one row alike on both paths", () => {
    const all = pairs(2000);
    const rows = new Uint8Array(codec.rowBytes * all.length);
    all.forEach(([, stored], row) => codec.write(rows, row, stored));
    const similarityOf = (dot: number) => similarityFromDistance(Math.sqrt(Math.max(0, 2 - 2 * dot)), FACE_MODEL_8);
    let worstQuery = 0;
    let worstStored = 0;
    let nearMatch = 0;
    const stored = new Uint8Array(codec.rowBytes);
    for (const [row, [query, other]] of all.entries()) {
      const dot = codec.dot(query, rows, row);
      expect(dot).toBe(codec.dotAll(query, rows, row, 1)[0]);
      const exact = faceSimilarity(query, other);
      if (exact > 50 && exact < 95) nearMatch++;
      worstQuery = Math.max(worstQuery, Math.abs(similarityOf(dot) - exact));
      // SearchFaces by FaceId: the query is itself a stored row, read back.
      codec.write(stored, 0, query);
      worstStored = Math.max(worstStored, Math.abs(similarityOf(codec.dot(codec.read(stored, 0), rows, row)) - exact));
    }
    // Pairs on the curve's steep part (where the error shows most) are among them.
    expect(nearMatch).toBeGreaterThan(500);
    // Over the fixtures' 8.0 descriptors (scripts/int8-precision.ts): 0.29 and a little more; over 20 000 such
    // synthetic pairs, 0.42 and 0.48.
    expect(worstQuery).toBeLessThan(0.5);
    expect(worstStored).toBeLessThan(0.5);
    expect(worstStored).toBeGreaterThan(0);
  });

  it("accept only the scale write() gives a row's bytes, and recover the row's direction from its bytes alone", () => {
    const [a] = pairs(1)[0]!;
    const rows = new Uint8Array(codec.rowBytes);
    codec.write(rows, 0, a);
    expect(codec.isUnit(rows, 0)).toBe(true);
    const scales = new Float32Array(rows.buffer);
    const scale = scales[codec.length / 4]!;
    for (const damaged of [-scale, 0, Number.NaN, Number.POSITIVE_INFINITY, scale * 1.01]) {
      scales[codec.length / 4] = damaged;
      expect(codec.isUnit(rows, 0)).toBe(false);
    }
    const direction = codec.direction(rows, 0);
    const norm = Math.hypot(...direction);
    expect(
      faceSimilarity(
        direction.map((x) => x / norm),
        a,
      ),
    ).toBeGreaterThan(99.9);
  });

  it("sketch a row and the same descriptor as a query alike, and strangers apart, for the graph", () => {
    const cosine = (a: Float32Array, b: Float32Array): number => {
      let ab = 0;
      let aa = 0;
      let bb = 0;
      for (let i = 0; i < a.length; i++) ((ab += a[i]! * b[i]!), (aa += a[i]! ** 2), (bb += b[i]! ** 2));
      return ab / Math.sqrt(aa * bb);
    };
    const [a, b] = pairs(2).map(([first]) => first) as [Float32Array, Float32Array];
    const rows = new Uint8Array(codec.rowBytes * 2);
    codec.write(rows, 0, a);
    codec.write(rows, 1, b);
    const sketches = codec.graphVectors(rows, 0, 2);
    expect(sketches).toHaveLength(2 * codec.graph.dimensions);
    expect(codec.graph.dimensions).toBe(128);
    const queryA = codec.graphQuery(a);
    expect(cosine(sketches.subarray(0, 128), queryA)).toBeGreaterThan(0.99);
    expect(cosine(sketches.subarray(128), queryA)).toBeLessThan(0.5);
  });
});
