/**
 * A large restored collection maps its images in the background after it is loaded; whatever reads the
 * map first (IndexFaces asking whether an image is indexed, a removal) sees it whole.
 */
import { describe, expect, it } from "vitest";
import { deserialiseFaceVectorIndex } from "@faceindex/face-engine";
import { createCollection, type StoredFace } from "../src/store/collection.ts";

const COUNT = 45_000; // above the background chunk, so the map is built over several turns

function restoredCollection() {
  const faces: StoredFace[] = Array.from({ length: COUNT }, (_, seq) => ({
    faceId: `face-${seq}`,
    imageId: `image-${seq}`,
    box: { left: 0.1, top: 0.1, width: 0.5, height: 0.5 },
    confidence: 99,
    // The last two faces share an image, as two faces of one photo do.
    imageKey: seq === COUNT - 1 ? `key-${COUNT - 2}` : `key-${seq}`,
    seq,
  }));
  const vectors = Buffer.alloc(COUNT * 128 * 4);
  const rows = new Float32Array(vectors.buffer, vectors.byteOffset, COUNT * 128);
  for (let row = 0; row < COUNT; row++) rows[row * 128 + (row % 128)] = 1;
  const index = deserialiseFaceVectorIndex(
    { ids: faces.map((face) => face.faceId), vectors, idsKnownUnique: true },
    { approximateFrom: Infinity },
  );
  const meta = { collectionId: "c", createdAt: 0, faceModelVersion: "7.0", arn: "arn", nextSeq: COUNT };
  return createCollection(meta, index, { faces, indexHoldsFaces: true });
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe("a large restored collection", () => {
  it.each([
    ["at once", async () => {}],
    ["after one background turn (stopped at a chunk's end)", () => new Promise((resolve) => setImmediate(resolve))],
    ["after the background map is done", settle],
  ])("finds every image's faces %s, in order, and forgets removed ones", async (_, wait) => {
    const collection = restoredCollection();
    await wait();
    for (const seq of [19_999, 20_000, 39_999, 40_000]) {
      expect(collection.facesOfImage(`key-${seq}`).map((face) => face.faceId)).toEqual([`face-${seq}`]);
    }
    expect(collection.facesOfImage("key-0").map((face) => face.faceId)).toEqual(["face-0"]);
    expect(collection.facesOfImage(`key-${COUNT - 2}`).map((face) => face.faceId)).toEqual([
      `face-${COUNT - 2}`,
      `face-${COUNT - 1}`,
    ]);
    expect(collection.removeFace(`face-${COUNT - 2}`)).toBe(true);
    expect(collection.facesOfImage(`key-${COUNT - 2}`).map((face) => face.faceId)).toEqual([`face-${COUNT - 1}`]);
    expect(collection.removeFace("face-30000")).toBe(true);
    expect(collection.facesOfImage("key-30000")).toEqual([]);
    collection.addFace(
      { faceId: "new", imageId: "i", box: { left: 0, top: 0, width: 1, height: 1 }, confidence: 99, imageKey: "k" },
      new Float32Array(128).fill(1),
    );
    expect(collection.facesOfImage("k").map((face) => face.faceId)).toEqual(["new"]);
    expect(collection.faces.size).toBe(COUNT - 1);
  });

  it("refuses restored faces with duplicate ids", () => {
    const vectors = Buffer.alloc(2 * 128 * 4);
    new Float32Array(vectors.buffer, vectors.byteOffset, 256).fill(1 / Math.sqrt(128));
    const index = deserialiseFaceVectorIndex({ ids: ["a", "b"], vectors });
    const face = (faceId: string, seq: number): StoredFace => ({
      faceId,
      imageId: "i",
      box: { left: 0, top: 0, width: 1, height: 1 },
      confidence: 99,
      imageKey: `k${seq}`,
      seq,
    });
    const meta = { collectionId: "c", createdAt: 0, faceModelVersion: "7.0", arn: "arn", nextSeq: 2 };
    expect(() => createCollection(meta, index, { faces: [face("a", 0), face("a", 1)], indexHoldsFaces: true })).toThrow(
      /duplicate face ids/,
    );
  });
});
