/**
 * Fast unit test of the key-ownership rules with plain-object fakes of the claims and the store: how many
 * HEADs and which PUTs each case costs (the real local S3 runs these paths in tenants-erasure.test.ts).
 */
import { describe, expect, it } from "vitest";
import type { ClaimResult } from "../src/adapters/redis/object-claims.ts";
import type { PutImageOptions } from "../src/adapters/s3/image-store.ts";
import { claimImageKey, writeOwnedImage } from "../src/jobs/image-key-owner.ts";

const target = { tenant: "acme", externalImageId: "person-1", bucket: "b", key: "k.jpg" };
const image = { bytes: Buffer.from("jpeg"), contentType: "image/jpeg", sha256: "ab".repeat(32) };

function fakes(options: { claim: ClaimResult; conditionalWrites: boolean; existingOwner?: string }) {
  const calls: string[] = [];
  let existing = options.existingOwner;
  const deps = {
    claims: {
      claim: async () => (calls.push("claim"), options.claim),
      confirm: async () => void calls.push("confirm"),
      release: async () => void calls.push("release"),
      ownerOf: async () => null,
    },
    imageStore: {
      conditionalWrites: options.conditionalWrites,
      headImage: async () => {
        calls.push("head");
        return existing === undefined
          ? null
          : { etag: "e", metadata: { "external-image-id": existing, "faceindex-tenant": "acme" } };
      },
      putImage: async (...args: [string, string, Buffer, string, Record<string, string>, PutImageOptions?]) => {
        const conditional = args[5]?.onlyIfAbsent === true;
        calls.push(conditional ? "put-if-absent" : "put");
        if (conditional && existing !== undefined) return null;
        existing = target.externalImageId;
        return { etag: "new" };
      },
    },
  };
  return { deps, calls };
}

async function enrol(deps: ReturnType<typeof fakes>["deps"]) {
  const status = await claimImageKey(deps, target);
  return status === "taken" ? null : writeOwnedImage(deps, target, status, image);
}

describe("claimImageKey + writeOwnedImage", () => {
  it("writes a new key in one conditional PUT, without a HEAD, where S3 honours If-None-Match", async () => {
    const { deps, calls } = fakes({ claim: "claimed", conditionalWrites: true });
    expect(await enrol(deps)).toEqual({ etag: "new" });
    expect(calls).toEqual(["claim", "put-if-absent", "confirm"]);
  });

  it("finds another's unclaimed object through the refused PUT, keeps it and releases the claim", async () => {
    const { deps, calls } = fakes({ claim: "claimed", conditionalWrites: true, existingOwner: "someone-else" });
    expect(await enrol(deps)).toBeNull();
    expect(calls).toEqual(["claim", "put-if-absent", "head", "release"]);
  });

  it("replaces the person's own unclaimed object", async () => {
    const { deps, calls } = fakes({ claim: "claimed", conditionalWrites: true, existingOwner: "person-1" });
    expect(await enrol(deps)).toEqual({ etag: "new" });
    expect(calls).toEqual(["claim", "put-if-absent", "head", "put", "confirm"]);
  });

  it("re-enrols on a key the person's claim holds with one plain PUT", async () => {
    const { deps, calls } = fakes({ claim: "mine", conditionalWrites: true, existingOwner: "person-1" });
    expect(await enrol(deps)).toEqual({ etag: "new" });
    expect(calls).toEqual(["claim", "put", "confirm"]);
  });

  it("looks first where S3 ignores If-None-Match (S3_CONDITIONAL_WRITES=false), and never writes over another's", async () => {
    const { deps, calls } = fakes({ claim: "claimed", conditionalWrites: false, existingOwner: "someone-else" });
    expect(await enrol(deps)).toBeNull();
    expect(calls).toEqual(["claim", "head", "release"]);
  });

  it("refuses at once when another person's claim holds the key", async () => {
    const { deps, calls } = fakes({ claim: "taken", conditionalWrites: true });
    expect(await enrol(deps)).toBeNull();
    expect(calls).toEqual(["claim"]);
  });
});
