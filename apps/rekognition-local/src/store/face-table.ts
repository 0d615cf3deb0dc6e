/**
 * A collection's face records as one binary table, the way snapshot.bin stores them. The same million
 * records as a JSON array were 286 MB, and parsing them took ~1 s of a 5-6 s server start. Here numbers
 * are one typed column read in place (float64, so every value comes back exactly as it was), and the strings of FACES_PER_BLOCK faces are one UTF-8 run decoded in
 * one call, each field then sliced from it.
 *
 * Layout, little-endian, 8-byte aligned from the table's start:
 *   u32 faces, u32 blocks, u32 textBytes[blocks], padding to 8
 *   f64 seq, left, top, width, height, confidence [faces * 6]
 *   u32 textEnd[faces * 4]   end of faceId, imageId, externalImageId, imageKey, in UTF-16 units from the block's start
 *   u32 faceOfRow[faces]     the vector index's row r holds face faceOfRow[r] of this table
 *   u8  flags[faces]         bit 0: has an externalImageId (Rekognition's is at least 1 character, "" is absence)
 *   the blocks' text
 */
import type { StoredFace } from "./collection.ts";

/** Faces whose strings are decoded as one string: ~10 MB, far under V8's longest string (~512 MB). */
export const FACES_PER_BLOCK = 65_536;
const FIELDS = 4;
const NUMBERS = 6;
const HAS_EXTERNAL_ID = 1;

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

interface Layout {
  numbers: number;
  textEnds: number;
  faceOfRow: number;
  flags: number;
  text: number;
}

function layoutOf(faces: number, blocks: number): Layout {
  const numbers = align8(8 + 4 * blocks);
  const textEnds = numbers + 8 * NUMBERS * faces;
  const faceOfRow = textEnds + 4 * FIELDS * faces;
  const flags = faceOfRow + 4 * faces;
  return { numbers, textEnds, faceOfRow, flags, text: flags + faces };
}

/** `faces` in insertion order; `rowIds` the vector index's ids in row order (the same ids, another order). */
export function encodeFaceTable(faces: readonly StoredFace[], rowIds: readonly string[]): Buffer {
  if (rowIds.length !== faces.length) throw new Error(`${faces.length} faces but ${rowIds.length} index rows`);
  const count = faces.length;
  const blocks = Math.ceil(count / FACES_PER_BLOCK);
  const at = layoutOf(count, blocks);
  const texts: Buffer[] = [];
  const head = Buffer.alloc(at.text);
  const numbers = new Float64Array(head.buffer, head.byteOffset + at.numbers, NUMBERS * count);
  const textEnds = new Uint32Array(head.buffer, head.byteOffset + at.textEnds, FIELDS * count);
  const faceOfRow = new Uint32Array(head.buffer, head.byteOffset + at.faceOfRow, count);
  const flags = head.subarray(at.flags, at.flags + count);
  const position = new Map<string, number>();
  head.writeUInt32LE(count, 0);
  head.writeUInt32LE(blocks, 4);
  for (let block = 0; block < blocks; block++) {
    const parts: string[] = [];
    let end = 0;
    for (let i = block * FACES_PER_BLOCK; i < Math.min(count, (block + 1) * FACES_PER_BLOCK); i++) {
      const face = faces[i]!;
      position.set(face.faceId, i);
      const { box } = face;
      numbers.set([face.seq, box.left, box.top, box.width, box.height, face.confidence], NUMBERS * i);
      if (face.externalImageId !== undefined) flags[i] = HAS_EXTERNAL_ID;
      const fields = [face.faceId, face.imageId, face.externalImageId ?? "", face.imageKey];
      fields.forEach((field, f) => {
        parts.push(field);
        textEnds[FIELDS * i + f] = end += field.length;
      });
    }
    const text = parts.join("");
    // A lone surrogate would not survive UTF-8 and every later field of the block would shift: refuse to
    // write it (the journal keeps the change) rather than save a table that loads wrong.
    if (!text.isWellFormed()) throw new Error("a face record holds a string that is not well-formed UTF-16");
    texts.push(Buffer.from(text, "utf8"));
    head.writeUInt32LE(texts[block]!.length, 8 + 4 * block);
  }
  rowIds.forEach((id, row) => {
    const face = position.get(id);
    if (face === undefined) throw new Error(`index row ${row} holds ${id}, which has no face record`);
    faceOfRow[row] = face;
  });
  return Buffer.concat([head, ...texts]);
}

/**
 * The inverse of encodeFaceTable; throws on a table that does not add up (a damaged snapshot), including a
 * row map that is not a permutation, so the rows' ids are as distinct as the faces' ids.
 */
export function decodeFaceTable(table: Buffer): { faces: StoredFace[]; rowIds: string[] } {
  // Typed columns need an 8-aligned start; a table read on its own is, one cut out of a larger buffer may not be.
  if (table.byteOffset % 8 !== 0) table = Buffer.from(new Uint8Array(table));
  const damaged = (what: string) => new Error(`face table damaged: ${what}`);
  if (table.length < 8) throw damaged("too short");
  const count = table.readUInt32LE(0);
  const blocks = table.readUInt32LE(4);
  if (blocks !== Math.ceil(count / FACES_PER_BLOCK)) throw damaged(`${blocks} blocks for ${count} faces`);
  const at = layoutOf(count, blocks);
  const textBytes = Array.from({ length: blocks }, (_, block) => table.readUInt32LE(8 + 4 * block));
  if (table.length !== at.text + textBytes.reduce((sum, n) => sum + n, 0)) throw damaged("length");
  const numbers = new Float64Array(table.buffer, table.byteOffset + at.numbers, NUMBERS * count);
  const textEnds = new Uint32Array(table.buffer, table.byteOffset + at.textEnds, FIELDS * count);
  const faceOfRow = new Uint32Array(table.buffer, table.byteOffset + at.faceOfRow, count);
  const faces: StoredFace[] = new Array<StoredFace>(count);
  let blockStart = at.text;
  for (let block = 0; block < blocks; block++) {
    const text = table.toString("utf8", blockStart, blockStart + textBytes[block]!);
    blockStart += textBytes[block]!;
    const last = Math.min(count, (block + 1) * FACES_PER_BLOCK);
    if (textEnds[FIELDS * last - 1] !== text.length) throw damaged(`text of block ${block}`);
    let start = 0;
    const field = (index: number): string => {
      const end = textEnds[index]!;
      if (end < start) throw damaged(`text offsets at face ${Math.floor(index / FIELDS)}`);
      const value = text.slice(start, end);
      start = end;
      return value;
    };
    for (let i = block * FACES_PER_BLOCK; i < last; i++) {
      const n = NUMBERS * i;
      const faceId = field(FIELDS * i);
      const imageId = field(FIELDS * i + 1);
      const externalImageId = field(FIELDS * i + 2);
      const face: StoredFace = {
        faceId,
        imageId,
        box: { left: numbers[n + 1]!, top: numbers[n + 2]!, width: numbers[n + 3]!, height: numbers[n + 4]! },
        confidence: numbers[n + 5]!,
        imageKey: field(FIELDS * i + 3),
        seq: numbers[n]!,
      };
      if (table[at.flags + i]! & HAS_EXTERNAL_ID) face.externalImageId = externalImageId;
      faces[i] = face;
    }
  }
  // Each face in exactly one row: with distinct face ids (the collection checks), the rows' ids are distinct.
  const placed = new Uint8Array(count);
  const rowIds = Array.from(faceOfRow, (face, row) => {
    if (face >= count || placed[face]) throw damaged(`row ${row} points at face ${face} of ${count}, or a face twice`);
    placed[face] = 1;
    return faces[face]!.faceId;
  });
  return { faces, rowIds };
}
