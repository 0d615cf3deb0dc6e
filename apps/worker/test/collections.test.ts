/** Fast unit test of the collection cache with a plain-object fake of CreateCollection. */
import { describe, expect, it } from "vitest";
import { createCollections } from "../src/adapters/rekognition/collections.ts";

describe("createCollections", () => {
  it("creates a collection once however many jobs use it first at the same time, and falls back to COLLECTION_ID", async () => {
    const created: string[] = [];
    const collections = createCollections(
      {
        ensureCollection: async (id) => {
          created.push(id);
          await new Promise((resolve) => setTimeout(resolve, 20));
          return true;
        },
      },
      "faceindex",
    );
    const ids = await Promise.all([
      ...Array.from({ length: 10 }, () => collections.ready("faceindex-acme")),
      collections.ready(undefined),
    ]);
    expect(ids).toEqual([...Array.from({ length: 10 }, () => "faceindex-acme"), "faceindex"]);
    await collections.ready("faceindex-acme");
    expect(created.sort()).toEqual(["faceindex", "faceindex-acme"]);
  });

  it("forgets a failed creation, so the next job tries again", async () => {
    let calls = 0;
    const collections = createCollections(
      {
        ensureCollection: async () => {
          calls += 1;
          if (calls === 1) throw Object.assign(new Error("down"), { name: "InternalServerError" });
          return true;
        },
      },
      "faceindex",
    );
    await expect(collections.ready("c1")).rejects.toThrow("down");
    await expect(collections.ready("c1")).resolves.toBe("c1");
    expect(calls).toBe(2);
  });
});
