/** When a stored duplicate outcome still holds: the rules behind a keyless replay's fresh run. */
import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { facesKey, type FaceMatch } from "@faceindex/contracts";
import { duplicatesErased } from "../src/jobs/erased-face.ts";

const match = (faceId: string, bucket: string | null = "kyc-faces"): FaceMatch => ({
  face_id: faceId,
  external_image_id: `owner-of-${faceId}`,
  similarity: 97,
  bucket,
  image_key: null,
});

/** hmget over a gallery that holds `present` face ids in collection "c1" under prefix "{p}". */
function galleryWith(...present: string[]): Pick<Redis, "hmget"> {
  const hmget = async (key: string, ...faceIds: string[]) => {
    expect(key).toBe(facesKey("{p}", "c1"));
    return faceIds.map((faceId) => (present.includes(faceId) ? "{}" : null));
  };
  // Only the (key, ...fields) form is used; ioredis's overloads add callbacks and Buffers.
  return { hmget: hmget as Redis["hmget"] };
}

const duplicateJob = (...duplicates: FaceMatch[]) => ({
  finishedOn: 1,
  returnvalue: { status: "duplicate", message: "already enrolled", duplicates },
});

describe("duplicatesErased", () => {
  it("is true only once every face the outcome named is gone from the mapping", async () => {
    const job = duplicateJob(match("f1"), match("f2"));
    expect(await duplicatesErased(galleryWith("f1", "f2"), "{p}", "c1", job)).toBe(false);
    expect(await duplicatesErased(galleryWith("f2"), "{p}", "c1", job)).toBe(false);
    expect(await duplicatesErased(galleryWith(), "{p}", "c1", job)).toBe(true);
  });

  it("keeps the outcome when it named a face the mapping never knew (it cannot have been erased through it)", async () => {
    expect(await duplicatesErased(galleryWith(), "{p}", "c1", duplicateJob(match("f1"), match("f9", null)))).toBe(
      false,
    );
  });

  it("ignores other outcomes and unfinished jobs", async () => {
    const indexed = { finishedOn: 1, returnvalue: { status: "indexed", data: {} } };
    const running = { returnvalue: null };
    expect(await duplicatesErased(galleryWith(), "{p}", "c1", indexed)).toBe(false);
    expect(await duplicatesErased(galleryWith(), "{p}", "c1", running)).toBe(false);
  });
});
