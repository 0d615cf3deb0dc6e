/** The snapshot's binary face table gives back exactly the records and row order it was given. */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { StoredFace } from "../src/store/collection.ts";
import { decodeFaceTable, encodeFaceTable, FACES_PER_BLOCK } from "../src/store/face-table.ts";

const face = (seq: number, externalImageId?: string): StoredFace => ({
  faceId: randomUUID(),
  imageId: randomUUID(),
  ...(externalImageId !== undefined && { externalImageId }),
  // Doubles that float32 would round: the table must not change a box between two starts.
  box: { left: 0.1 + seq / 3e6, top: 1 / 3, width: Math.PI / 10, height: 0.5 },
  confidence: 99.99999 - seq * 1e-9,
  imageKey: `${seq}`.padStart(64, "f"),
  seq,
});

const shuffled = <T>(items: readonly T[]): T[] =>
  items
    .map((item) => ({ item, key: Math.random() }))
    .sort((a, b) => a.key - b.key)
    .map(({ item }) => item);

describe("the face table", () => {
  it("round-trips records exactly, with and without an external id, and the index's row order", () => {
    const faces = [face(0, "customer-1"), face(3), face(7, "a.b_c-d:e"), face(8, "x")];
    const rowIds = shuffled(faces.map((f) => f.faceId));
    expect(decodeFaceTable(encodeFaceTable(faces, rowIds))).toEqual({ faces, rowIds });
    expect("externalImageId" in decodeFaceTable(encodeFaceTable(faces, rowIds)).faces[1]!).toBe(false);
  });

  it("keeps strings beyond ASCII, and an empty collection", () => {
    const faces = [face(0, "naïve-ü-日本-😀"), face(1, "plain")];
    const rowIds = faces.map((f) => f.faceId);
    expect(decodeFaceTable(encodeFaceTable(faces, rowIds))).toEqual({ faces, rowIds });
    expect(decodeFaceTable(encodeFaceTable([], []))).toEqual({ faces: [], rowIds: [] });
  });

  it("spans several text blocks", () => {
    const faces = Array.from({ length: FACES_PER_BLOCK + 5 }, (_, i) => face(i, i % 2 ? `ext-${i}` : undefined));
    const rowIds = shuffled(faces.map((f) => f.faceId));
    const decoded = decodeFaceTable(encodeFaceTable(faces, rowIds));
    expect(decoded.rowIds).toEqual(rowIds);
    expect(decoded.faces).toEqual(faces);
  });

  it("decodes a table that does not start 8-byte aligned in its buffer", () => {
    const faces = [face(0, "one"), face(1)];
    const table = encodeFaceTable(
      faces,
      faces.map((f) => f.faceId),
    );
    const offset = Buffer.concat([Buffer.alloc(3), table]).subarray(3);
    expect(decodeFaceTable(offset).faces).toEqual(faces);
  });

  it("refuses a truncated or altered table instead of loading wrong records", () => {
    const faces = [face(0, "one"), face(1, "two")];
    const table = encodeFaceTable(
      faces,
      faces.map((f) => f.faceId),
    );
    expect(() => decodeFaceTable(table.subarray(0, table.length - 1))).toThrow(/damaged/);
    const altered = Buffer.from(table);
    altered.writeUInt32LE(3, 0); // three faces claimed
    expect(() => decodeFaceTable(altered)).toThrow(/damaged/);
  });

  it("refuses a table whose rows name one face twice (the index's ids would not be distinct)", () => {
    const faces = [face(0), face(1)];
    const table = encodeFaceTable(faces, [faces[0]!.faceId, faces[0]!.faceId]);
    expect(() => decodeFaceTable(table)).toThrow(/a face twice/);
  });

  it("refuses to encode rows that do not match the records, or a string UTF-8 cannot carry", () => {
    const faces = [face(0), face(1)];
    expect(() => encodeFaceTable(faces, [faces[0]!.faceId, "someone-else"])).toThrow(/no face record/);
    expect(() => encodeFaceTable(faces, [faces[0]!.faceId])).toThrow(/index rows/);
    const lone = [face(0, "bad-\uD800")];
    expect(() => encodeFaceTable(lone, [lone[0]!.faceId])).toThrow(/well-formed/);
  });
});
