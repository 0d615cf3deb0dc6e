/**
 * Users in the collection store: journalled before they are acknowledged, so a crash (a store opened again
 * without close) keeps them; replayed over a snapshot (after compaction) they come back the same.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FACE_MODEL_7 } from "@faceindex/face-engine";
import { openCollectionStore } from "../src/store/collection-store.ts";
import { newFace } from "./support/new-face.ts";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

async function storeWithUser(snapshotEvery: number) {
  const dir = mkdtempSync(join(tmpdir(), "users-store-test-"));
  roots.push(dir);
  // Model 7.0, as newFace's 128-value descriptors are.
  const store = await openCollectionStore({
    dataDir: dir,
    region: "us-east-1",
    snapshotEvery,
    faceModel: FACE_MODEL_7,
  });
  await store.create("c");
  const [a, b, c] = (await store.addImageFaces("c", "img", [newFace("img"), newFace("img"), newFace("img")]))!;
  await store.changeUsers("c", () => ({ change: { createUser: { userId: "u", createdAt: 1 } }, result: null }));
  await store.changeUsers("c", () => ({
    change: { associate: { userId: "u", faceIds: [a!.faceId, b!.faceId, c!.faceId] } },
    result: null,
  }));
  await store.changeUsers("c", () => ({
    change: { disassociate: { userId: "u", faceIds: [c!.faceId] } },
    result: null,
  }));
  return { dir, store, faceIds: [a!.faceId, b!.faceId, c!.faceId] };
}

describe("users in the store", () => {
  it("keeps acknowledged users and associations after a crash (journal replay)", async () => {
    const { dir, store, faceIds } = await storeWithUser(1000);
    const reopened = await openCollectionStore({ dataDir: dir, region: "us-east-1" });
    const collection = reopened.get("c")!;
    expect(collection.users.get("u")?.faceIds).toEqual(faceIds.slice(0, 2));
    expect(collection.userOf(faceIds[2]!)).toBeUndefined();
    await reopened.close();
    await store.close();
  });

  it("keeps them in the snapshot too, and a face of a user is not deleted", async () => {
    // Every change compacts: the users come back from snapshot.bin alone.
    const { dir, store, faceIds } = await storeWithUser(1);
    await store.changeUsers("c", () => ({ change: { deleteUser: "u" }, result: null }));
    await store.changeUsers("c", () => ({ change: { createUser: { userId: "v", createdAt: 2 } }, result: null }));
    await store.changeUsers("c", () => ({ change: { associate: { userId: "v", faceIds } }, result: null }));
    // A face of a user is not deleted (AWS: ASSOCIATED_TO_AN_EXISTING_USER).
    expect(await store.deleteFaces("c", [faceIds[0]!])).toEqual([]);
    await store.close();
    const reopened = await openCollectionStore({ dataDir: dir, region: "us-east-1" });
    const collection = reopened.get("c")!;
    expect([...collection.users.keys()]).toEqual(["v"]);
    expect(collection.users.get("v")?.faceIds).toEqual(faceIds);
    await reopened.close();
  });
});
