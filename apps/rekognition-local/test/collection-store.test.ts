/**
 * The collection store on a real filesystem: concurrent changes to one collection, what a crash leaves
 * (the store is reopened without close(), so only fsynced journal lines count), and snapshots.
 */
import { appendFileSync, readFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
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

/** A store over `dir` in us-east-1; opening it again without close() is what a restart after a crash sees. */
const openStore = (dir: string, options: Partial<Parameters<typeof openCollectionStore>[0]> = {}) =>
  openCollectionStore({ dataDir: dir, region: "us-east-1", ...options });

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
