/**
 * The collection store on a real filesystem: concurrent changes to one collection, what a crash leaves
 * (the store is reopened without close(), so only fsynced journal lines count), and snapshots.
 */
import { appendFileSync, readFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { openCollectionStore, type NewFace } from "../src/collection-store.ts";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function dataDir(): string {
  const root = mkdtempSync(join(tmpdir(), "collection-store-test-"));
  roots.push(root);
  return root;
}

function newFace(imageKey: string): NewFace {
  const descriptor = new Float32Array(128).map(() => Math.random() - 0.5);
  return {
    face: { faceId: randomUUID(), imageId: randomUUID(), box: { left: 0.1, top: 0.1, width: 0.5, height: 0.5 }, confidence: 99, imageKey },
    descriptor,
  };
}

describe("collection store", () => {
  it("keeps every acknowledged face after concurrent writes and a crash (no close)", async () => {
    const dir = dataDir();
    const store = await openCollectionStore({ dataDir: dir, region: "eu-west-1" });
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

    const reopened = await openCollectionStore({ dataDir: dir, region: "eu-west-1" });
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
    const dir = dataDir();
    const store = await openCollectionStore({ dataDir: dir, region: "us-east-1" });
    await store.create("torn");
    await store.addImageFaces("torn", "a", [newFace("a")]);
    appendFileSync(join(dir, "collections", "c_torn", "journal.ndjson"), '{"add":[{"faceId":"half');
    const reopened = await openCollectionStore({ dataDir: dir, region: "us-east-1" });
    expect(reopened.get("torn")!.faces.size).toBe(1);
    await reopened.close();
    await store.close();
  });

  it("keeps faces acknowledged after a restart over a torn line (the next append does not join the torn one)", async () => {
    const dir = dataDir();
    const store = await openCollectionStore({ dataDir: dir, region: "us-east-1" });
    await store.create("torn2");
    await store.addImageFaces("torn2", "a", [newFace("a")]);
    appendFileSync(join(dir, "collections", "c_torn2", "journal.ndjson"), '{"add":[{"faceId":"half');
    // Crash, restart, and acknowledge one more face before crashing again.
    const second = await openCollectionStore({ dataDir: dir, region: "us-east-1" });
    const [acknowledged] = (await second.addImageFaces("torn2", "b", [newFace("b")]))!;
    const third = await openCollectionStore({ dataDir: dir, region: "us-east-1" });
    expect(third.get("torn2")!.faces.has(acknowledged!.faceId)).toBe(true);
    expect(third.get("torn2")!.faces.size).toBe(2);
    await third.close();
    await second.close();
    await store.close();
  });

  it("refuses to start over a damaged journal line that has acknowledged entries after it", async () => {
    const dir = dataDir();
    const store = await openCollectionStore({ dataDir: dir, region: "us-east-1" });
    await store.create("damaged");
    await store.addImageFaces("damaged", "a", [newFace("a")]);
    const journal = join(dir, "collections", "c_damaged", "journal.ndjson");
    appendFileSync(journal, "not json at all\n");
    await store.addImageFaces("damaged", "b", [newFace("b")]);
    const before = readFileSync(journal);

    await expect(openCollectionStore({ dataDir: dir, region: "us-east-1" })).rejects.toThrow(/damaged at byte \d+ .*Move the file aside/);
    // Nothing was cut: the acknowledged entry after the damage is still on disk.
    expect(readFileSync(journal).equals(before)).toBe(true);
    await store.close();
  });

  it("creates, reloads and deletes a collection whose id has the model's maximum length (255)", async () => {
    const dir = dataDir();
    const id = "a".repeat(255);
    const store = await openCollectionStore({ dataDir: dir, region: "us-east-1" });
    expect(await store.create(id)).toBeDefined();
    await store.addImageFaces(id, "a", [newFace("a")]);
    await store.close();
    const reopened = await openCollectionStore({ dataDir: dir, region: "us-east-1" });
    expect(reopened.ids()).toEqual([id]);
    expect(reopened.get(id)!.faces.size).toBe(1);
    expect(await reopened.delete(id)).toBe(true);
    expect(readdirSync(join(dir, "collections"))).toEqual([]);
    await reopened.close();
  });

  it("folds the journal into a snapshot and reloads the same faces in the same order", async () => {
    const dir = dataDir();
    const store = await openCollectionStore({ dataDir: dir, region: "us-east-1", snapshotEvery: 3 });
    await store.create("snap");
    for (let i = 0; i < 7; i++) await store.addImageFaces("snap", `i${i}`, [newFace(`i${i}`)]);
    const before = [...store.get("snap")!.faces.keys()];
    await store.close();
    const reopened = await openCollectionStore({ dataDir: dir, region: "us-east-1" });
    expect([...reopened.get("snap")!.faces.keys()]).toEqual(before);
    await reopened.close();
  });

  it("deletes a collection's files and never loads ids outside its folder", async () => {
    const dir = dataDir();
    const store = await openCollectionStore({ dataDir: dir, region: "us-east-1" });
    expect(await store.create("..")).toBeDefined();
    expect(await store.create("..")).toBeUndefined();
    expect(readdirSync(join(dir, "collections"))).toEqual(["c_.."]);
    expect(await store.delete("..")).toBe(true);
    expect(await store.delete("..")).toBe(false);
    expect(readdirSync(join(dir, "collections"))).toEqual([]);
    await store.close();
  });
});
