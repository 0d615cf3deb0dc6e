/**
 * The collection store on a real filesystem: concurrent changes to one collection, what a crash leaves
 * (the store is reopened without close(), so only fsynced journal lines count), and snapshots.
 */
import { appendFileSync, readFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FACE_MODEL_7, FACE_MODEL_8 } from "@faceindex/face-engine";
import { openCollectionStore } from "../src/store/collection-store.ts";
import { newFace } from "./support/new-face.ts";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function dataDir(): string {
  const root = mkdtempSync(join(tmpdir(), "collection-store-test-"));
  roots.push(root);
  return root;
}

/** What a crash in the middle of an append leaves at the journal's end: half a line, never acknowledged. */
const TORN_LINE = '{"add":[{"faceId":"half';

/**
 * A store over `dir` in us-east-1; opening it again without close() is what a restart after a crash sees.
 * New collections are model 7.0's, as newFace's 128-value descriptors are.
 */
const openStore = (dir: string, options: Partial<Parameters<typeof openCollectionStore>[0]> = {}) =>
  openCollectionStore({ dataDir: dir, region: "us-east-1", faceModel: FACE_MODEL_7, ...options });

/** A store in a fresh folder with collection `id` holding one face (image "a"), and that collection's files. */
async function storeWithOneFace(id: string) {
  const dir = dataDir();
  const store = await openStore(dir);
  await store.create(id);
  await store.addImageFaces(id, "a", [newFace("a")]);
  const folder = join(dir, "collections", `c_${id}`);
  return { dir, store, folder, journal: join(folder, "journal.ndjson") };
}

describe("collection store", () => {
  it("keeps every acknowledged face after concurrent writes and a crash (no close)", async () => {
    const dir = dataDir();
    const store = await openStore(dir, { region: "eu-west-1" });
    await store.create("kyc");
    const results = await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => store.addImageFaces("kyc", `image-${i}`, [newFace(`image-${i}`)])),
      // The same image five times at once: one set of faces, returned to every caller.
      ...Array.from({ length: 5 }, () => store.addImageFaces("kyc", "same-image", [newFace("same-image")])),
    ]);
    expect(await store.deleteFaces("kyc", [randomUUID()])).toEqual([]);
    const sameImageIds = results.slice(40, 45).map((faces) => faces?.[0]?.faceId);
    expect(new Set(sameImageIds).size).toBe(1);
    expect(store.get("kyc")!.faces.size).toBe(41);

    const toDelete = results[0]![0]!.faceId;
    expect(await store.deleteFaces("kyc", [toDelete])).toEqual([toDelete]);

    const reopened = await openStore(dir, { region: "eu-west-1" });
    const collection = reopened.get("kyc")!;
    expect(collection.faces.size).toBe(40);
    expect(collection.faces.has(toDelete)).toBe(false);
    expect(collection.meta.arn).toBe("arn:aws:rekognition:eu-west-1:000000000000:collection/kyc");
    // Descriptors survive: a stored face is its own best match.
    const [someId] = collection.faces.keys();
    const matches = collection.index.search(collection.descriptorOf(someId!)!, { maxResults: 1, minSimilarity: 0 });
    expect(matches[0]?.id).toBe(someId);
    await reopened.close();
    await store.close();
  });

  it("ignores a torn last journal line, which was never acknowledged", async () => {
    const { dir, store, journal } = await storeWithOneFace("torn");
    appendFileSync(journal, TORN_LINE);
    const reopened = await openStore(dir);
    expect(reopened.get("torn")!.faces.size).toBe(1);
    await reopened.close();
    await store.close();
  });

  it("keeps faces acknowledged after a restart over a torn line (the next append does not join the torn one)", async () => {
    const { dir, store, journal } = await storeWithOneFace("torn2");
    appendFileSync(journal, TORN_LINE);
    // Crash, restart, and acknowledge one more face before crashing again.
    const second = await openStore(dir);
    const [acknowledged] = (await second.addImageFaces("torn2", "b", [newFace("b")]))!;
    const third = await openStore(dir);
    expect(third.get("torn2")!.faces.has(acknowledged!.faceId)).toBe(true);
    expect(third.get("torn2")!.faces.size).toBe(2);
    await third.close();
    await second.close();
    await store.close();
  });

  it("refuses to start over a damaged journal line that has acknowledged entries after it", async () => {
    const { dir, store, journal } = await storeWithOneFace("damaged");
    appendFileSync(journal, "not json at all\n");
    await store.addImageFaces("damaged", "b", [newFace("b")]);
    const before = readFileSync(journal);

    await expect(openStore(dir)).rejects.toThrow(/damaged at byte \d+ .*Move the file aside/);
    // Nothing was cut: the acknowledged entry after the damage is still on disk.
    expect(readFileSync(journal).equals(before)).toBe(true);
    await store.close();
  });

  it("creates, reloads and deletes a collection whose id has the model's maximum length (255)", async () => {
    const dir = dataDir();
    const id = "a".repeat(255);
    const store = await openStore(dir);
    expect(await store.create(id)).toBeDefined();
    await store.addImageFaces(id, "a", [newFace("a")]);
    await store.close();
    const reopened = await openStore(dir);
    expect(reopened.ids()).toEqual([id]);
    expect(reopened.get(id)!.faces.size).toBe(1);
    expect(await reopened.delete(id)).toBe(true);
    expect(readdirSync(join(dir, "collections"))).toEqual([]);
    await reopened.close();
  });

  it("folds the journal into a snapshot and reloads the same faces in the same order", async () => {
    const dir = dataDir();
    const store = await openStore(dir, { snapshotEvery: 3 });
    await store.create("snap");
    for (let i = 0; i < 7; i++) await store.addImageFaces("snap", `i${i}`, [newFace(`i${i}`)]);
    const before = [...store.get("snap")!.faces.keys()];
    await store.close();
    const reopened = await openStore(dir);
    expect([...reopened.get("snap")!.faces.keys()]).toEqual(before);
    await reopened.close();
  });

  it("deletes a collection's files and never loads ids outside its folder", async () => {
    const dir = dataDir();
    const store = await openStore(dir);
    expect(await store.create("..")).toBeDefined();
    expect(await store.create("..")).toBeUndefined();
    expect(readdirSync(join(dir, "collections"))).toEqual(["c_.."]);
    expect(await store.delete("..")).toBe(true);
    expect(await store.delete("..")).toBe(false);
    expect(readdirSync(join(dir, "collections"))).toEqual([]);
    await store.close();
  });

  it("removes snapshot temp files a crash left in a collection folder when it opens", async () => {
    const { dir, store, folder } = await storeWithOneFace("leftover");
    // What a crash in the middle of writeSnapshot leaves: a partly written temporary next to the real files.
    writeFileSync(join(folder, `snapshot.bin.${randomUUID()}.tmp`), Buffer.alloc(1024));
    const reopened = await openStore(dir);
    expect(readdirSync(folder).sort()).toEqual(["journal.ndjson", "snapshot.bin"]);
    expect(reopened.get("leftover")!.faces.size).toBe(1);
    await reopened.close();
    await store.close();
  });

  it("keeps appending after emptying the journal fails, and loses nothing", async () => {
    const dir = dataDir();
    const logged: string[] = [];
    const store = await openStore(dir, { snapshotEvery: 2, log: (line) => logged.push(line) });
    await store.create("flaky");
    // The FileHandle class is not exported: its prototype is reached through a handle.
    const probe = await open(join(dir, "probe"), "w");
    const fileHandle = Object.getPrototypeOf(probe) as { truncate(length?: number): Promise<void> };
    await probe.close();
    const failure = vi.spyOn(fileHandle, "truncate").mockRejectedValueOnce(new Error("EIO: injected"));
    try {
      await store.addImageFaces("flaky", "a", [newFace("a")]);
      await store.addImageFaces("flaky", "b", [newFace("b")]); // snapshot written, emptying the journal fails
      expect(failure).toHaveBeenCalledTimes(1);
      expect(logged.some((line) => line.includes("EIO: injected"))).toBe(true);
      await store.addImageFaces("flaky", "c", [newFace("c")]); // the retried snapshot succeeds
      await store.addImageFaces("flaky", "d", [newFace("d")]);
    } finally {
      failure.mockRestore();
    }
    const journal = readFileSync(join(dir, "collections", "c_flaky", "journal.ndjson"), "utf8");
    expect(journal.split("\n").filter(Boolean)).toHaveLength(1);
    // Crash (no close): every acknowledged face is back, once.
    const reopened = await openStore(dir);
    expect(reopened.get("flaky")!.faces.size).toBe(4);
    await reopened.close();
    await store.close();
  });
});

describe("face models in the store", () => {
  /** A model 8.0 face: 512 random values, as newFace's are 128. */
  const newFace8 = (imageKey: string) =>
    newFace(
      imageKey,
      new Float32Array(FACE_MODEL_8.descriptorLength).map(() => Math.random() - 0.5),
    );
  const snapshotOf = (dir: string, id: string) => join(dir, "collections", `c_${id}`, "snapshot.bin");

  /** Rewrites a snapshot's header text (same length, so nothing after it moves). */
  function editHeader(path: string, edit: (header: string) => string): void {
    const data = readFileSync(path);
    const headerLength = data.readUInt32LE(4);
    const header = edit(data.toString("utf8", 8, 8 + headerLength));
    expect(Buffer.byteLength(header)).toBe(headerLength);
    writeFileSync(path, Buffer.concat([data.subarray(0, 8), Buffer.from(header), data.subarray(8 + headerLength)]));
  }

  /** A hand-written RKL1 snapshot (face records as JSON, rows after the header) of one face along axis 0. */
  function writeJsonFacesSnapshot(dir: string, id: string, faceModelVersion: string): string {
    const folder = join(dir, "collections", `c_${id}`);
    mkdirSync(folder, { recursive: true });
    const { face } = newFace("old");
    const meta = { collectionId: id, createdAt: 1, faceModelVersion, arn: `arn:${id}`, nextSeq: 1 };
    const header = Buffer.from(JSON.stringify({ meta, faces: [{ ...face, seq: 0 }], ids: [face.faceId] }));
    const prefix = Buffer.alloc(8);
    prefix.write("RKL1", 0, "ascii");
    prefix.writeUInt32LE(header.length, 4);
    const row = new Float32Array(128);
    row[0] = 1;
    writeFileSync(join(folder, "snapshot.bin"), Buffer.concat([prefix, header, Buffer.from(row.buffer)]));
    return face.faceId;
  }

  it("persists a model 8.0 collection (snapshot and journal) and reopens it as 8.0, finding every face", async () => {
    const dir = dataDir();
    const store = await openStore(dir, { faceModel: FACE_MODEL_8, snapshotEvery: 3 });
    const created = (await store.create("eight"))!;
    expect(created.meta.faceModelVersion).toBe("8.0");
    expect(created.index.faceModel).toBe(FACE_MODEL_8);
    const faces = Array.from({ length: 5 }, (_, i) => newFace8(`i${i}`));
    for (const [i, face] of faces.entries()) await store.addImageFaces("eight", `i${i}`, [face]);
    // Three faces went into the snapshot (512 float32 values each); the last two are journalled lines.
    const snapshot = readFileSync(snapshotOf(dir, "eight"));
    const header = JSON.parse(snapshot.toString("utf8", 8, 8 + snapshot.readUInt32LE(4))) as { faceCount: number };
    expect(header.faceCount).toBe(3);
    const journal = readFileSync(join(dir, "collections", "c_eight", "journal.ndjson"), "utf8").split("\n");
    const entries = journal.filter(Boolean).map((line) => JSON.parse(line) as { add: { descriptor: string }[] });
    expect(entries.map((entry) => Buffer.from(entry.add[0]!.descriptor, "base64").byteLength)).toEqual([2048, 2048]);

    // Crash (no close), then reopen with 7.0 for new collections: this one keeps its own model.
    const reopened = await openStore(dir, { faceModel: FACE_MODEL_7 });
    const collection = reopened.get("eight")!;
    expect(collection.meta.faceModelVersion).toBe("8.0");
    expect(collection.index.faceModel).toBe(FACE_MODEL_8);
    expect(collection.faces.size).toBe(5);
    for (const { face, descriptor } of faces) {
      const [best] = collection.index.search(descriptor, { maxResults: 1, minSimilarity: 99 });
      expect(best?.id).toBe(face.faceId);
    }
    await reopened.close(); // one snapshot of all five
    const again = await openStore(dir);
    expect(again.get("eight")!.faces.size).toBe(5);
    expect(again.get("eight")!.index.faceModel).toBe(FACE_MODEL_8);
    expect(again.get("eight")!.descriptorOf(faces[4]!.face.faceId)).toHaveLength(512);
    await again.close();
    await store.close();
  });

  it("loads an 8.0 snapshot of float32 rows (written before int8 rows), and saves it as int8 rows at the next close", async () => {
    const dir = dataDir();
    const store = await openStore(dir, { faceModel: FACE_MODEL_8 });
    await store.create("older");
    const faces = Array.from({ length: 4 }, (_, i) => newFace8(`i${i}`));
    for (const [i, face] of faces.entries()) await store.addImageFaces("older", `i${i}`, [face]);
    await store.close();

    // Rewrite the snapshot as a build before int8 rows wrote it: no rowEncoding, 2048-byte float32 rows.
    const path = snapshotOf(dir, "older");
    const data = readFileSync(path);
    const headerLength = data.readUInt32LE(4);
    const header = JSON.parse(data.toString("utf8", 8, 8 + headerLength)) as Record<string, unknown> & {
      faceCount: number;
      tableBytes: number;
      rowEncoding?: string;
    };
    expect(header.rowEncoding).toBe("int8");
    const align = (n: number, to: number) => Math.ceil(n / to) * to;
    const table = data.subarray(align(8 + headerLength, 8), align(8 + headerLength, 8) + header.tableBytes);
    const reopened0 = await openStore(dir);
    const collection0 = reopened0.get("older")!;
    const order = [...collection0.faces.values()].sort((a, b) => a.seq - b.seq).map((f) => f.faceId);
    await reopened0.close();
    const byId = new Map(faces.map(({ face, descriptor }) => [face.faceId, descriptor]));
    const unit = (v: Float32Array) => {
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    };
    const rows = Buffer.concat(order.map((id) => Buffer.from(unit(byId.get(id)!).buffer)));
    delete header.rowEncoding;
    const oldHeader = Buffer.from(JSON.stringify(header));
    const prefix = Buffer.alloc(8);
    prefix.write("RKL2", 0, "ascii");
    prefix.writeUInt32LE(oldHeader.length, 4);
    const tableStart = align(8 + oldHeader.length, 8);
    const rowsStart = align(tableStart + table.length, 4);
    writeFileSync(
      path,
      Buffer.concat([
        prefix,
        oldHeader,
        Buffer.alloc(tableStart - 8 - oldHeader.length),
        table,
        Buffer.alloc(rowsStart - tableStart - table.length),
        rows,
      ]),
    );
    expect(readFileSync(path).length).toBe(rowsStart + 4 * 2048);

    const reopened = await openStore(dir);
    const collection = reopened.get("older")!;
    expect(collection.faces.size).toBe(4);
    for (const { face, descriptor } of faces) {
      const [best] = collection.index.search(descriptor, { maxResults: 1, minSimilarity: 99 });
      expect(best?.id).toBe(face.faceId);
    }
    await reopened.close(); // nothing journalled, but the converted rows are saved
    const saved = readFileSync(path);
    const savedHeader = JSON.parse(saved.toString("utf8", 8, 8 + saved.readUInt32LE(4))) as { rowEncoding?: string };
    expect(savedHeader.rowEncoding).toBe("int8");
    expect(saved.length).toBeLessThan(rowsStart + 4 * 2048);
    const last = await openStore(dir);
    expect(last.get("older")!.faces.size).toBe(4);
    await last.close();
  });

  it("keeps a 7.0 collection beside a new 8.0 one (the default), refusing the other model's descriptors unjournalled", async () => {
    const dir = dataDir();
    const old = await openStore(dir, { faceModel: FACE_MODEL_7 });
    await old.create("seven");
    const [sevenFace] = (await old.addImageFaces("seven", "a", [newFace("a")]))!;
    await old.close();

    const store = await openCollectionStore({ dataDir: dir, region: "us-east-1" });
    expect((await store.create("eight"))!.meta.faceModelVersion).toBe("8.0");
    await store.addImageFaces("eight", "b", [newFace8("b")]);
    const seven = store.get("seven")!;
    expect(seven.meta.faceModelVersion).toBe("7.0");
    expect(seven.index.faceModel).toBe(FACE_MODEL_7);
    expect(
      seven.index.search(seven.descriptorOf(sevenFace!.faceId)!, { maxResults: 1, minSimilarity: 99 })[0]?.id,
    ).toBe(sevenFace!.faceId);
    const journal = join(dir, "collections", "c_seven", "journal.ndjson");
    const before = readFileSync(journal);
    await expect(store.addImageFaces("seven", "c", [newFace8("c")])).rejects.toThrow(
      /7\.0 descriptor has 128 values, got 512/,
    );
    await expect(store.addImageFaces("eight", "c", [newFace("c")])).rejects.toThrow(
      /8\.0 descriptor has 512 values, got 128/,
    );
    expect(readFileSync(journal).equals(before)).toBe(true);
    await store.close();

    const reopened = await openStore(dir);
    expect(reopened.ids()).toEqual(["eight", "seven"]);
    expect(reopened.ids().map((id) => reopened.get(id)!.meta.faceModelVersion)).toEqual(["8.0", "7.0"]);
    expect(reopened.get("seven")!.faces.size).toBe(1);
    expect(reopened.get("eight")!.faces.size).toBe(1);
    await reopened.close();
  });

  it("loads an RKL1 snapshot as 7.0", async () => {
    const dir = dataDir();
    const faceId = writeJsonFacesSnapshot(dir, "rkl1", "7.0");
    const store = await openStore(dir, { faceModel: FACE_MODEL_8 });
    const collection = store.get("rkl1")!;
    expect(collection.index.faceModel).toBe(FACE_MODEL_7);
    expect(collection.descriptorOf(faceId)).toHaveLength(128);
    await store.close();
  });

  it("refuses a snapshot naming a face model this engine does not have, RKL2 or RKL1, naming the version", async () => {
    const { dir, store } = await storeWithOneFace("future");
    await store.close();
    editHeader(snapshotOf(dir, "future"), (header) =>
      header.replace('"faceModelVersion":"7.0"', '"faceModelVersion":"9.9"'),
    );
    await expect(openStore(dir)).rejects.toThrow(
      /c_future\/snapshot\.bin: face model version "9\.9" is not one this engine has \(7\.0, 8\.0\)/,
    );

    const other = dataDir();
    writeJsonFacesSnapshot(other, "rkl1", "6.0");
    await expect(openStore(other)).rejects.toThrow(/face model version "6\.0" is not one this engine has/);
  });

  it("refuses a snapshot whose rows are in an encoding this build does not have, naming it", async () => {
    const dir = dataDir();
    const store = await openStore(dir, { faceModel: FACE_MODEL_8 });
    await store.create("newer");
    await store.addImageFaces("newer", "a", [newFace8("a")]);
    await store.close();
    editHeader(snapshotOf(dir, "newer"), (header) => header.replace('"rowEncoding":"int8"', '"rowEncoding":"int4"'));
    await expect(openStore(dir)).rejects.toThrow(/c_newer\/snapshot\.bin: unknown row encoding "int4"/);
  });

  it("never reads a 7.0 collection's rows as 8.0's: a snapshot relabelled 8.0 does not load", async () => {
    const { dir, store } = await storeWithOneFace("relabelled");
    await store.close();
    editHeader(snapshotOf(dir, "relabelled"), (header) =>
      header.replace('"faceModelVersion":"7.0"', '"faceModelVersion":"8.0"'),
    );
    await expect(openStore(dir)).rejects.toThrow(/snapshot\.bin holds \d+ bytes, expected \d+/);
  });
});
