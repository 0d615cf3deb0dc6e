/**
 * Two tenants through the running stack (API, worker, local Rekognition with the neural engine, local S3,
 * real Redis), as issue 9 replays it: each tenant's tokens, its own bucket and collection. What one does
 * is invisible to the other; a taken image key answers 409 with the object unchanged; an erasure removes
 * every object stored for the person (a no-face upload and a refused duplicate too), checked in S3; GET
 * /audit lists all of it for its tenant only.
 */
import { CreateBucketCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { signDevToken } from "@faceindex/dev-token";
import { LOCAL_S3_CREDENTIALS } from "@faceindex/local-s3";
import { facePhoto, uniqueName } from "@faceindex/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startThrowawayStack, type ThrowawayStack } from "../src/throwaway-stack.ts";

let stack: ThrowawayStack;
let s3: S3Client;
const acme = { tenant: "acme", bucket: uniqueName("acme-kyc"), token: "" };
const globex = { tenant: "globex", bucket: uniqueName("globex-kyc"), token: "" };
type Caller = typeof acme;

beforeAll(async () => {
  const tenants = { [acme.tenant]: { buckets: [acme.bucket] }, [globex.tenant]: { buckets: [globex.bucket] } };
  stack = await startThrowawayStack({
    name: "tenants",
    faceEngine: "neural",
    redisUrl: inject("redisUrl"),
    extraEnv: { TENANTS: JSON.stringify(tenants) },
  });
  s3 = new S3Client({
    endpoint: stack.s3Endpoint,
    region: "us-east-1",
    credentials: LOCAL_S3_CREDENTIALS,
    forcePathStyle: true,
  });
  for (const caller of [acme, globex]) {
    await s3.send(new CreateBucketCommand({ Bucket: caller.bucket }));
    caller.token = await signDevToken(stack.jwtSecret, {
      subject: `${caller.tenant}-operator`,
      expiresIn: "1h",
      tenant: caller.tenant,
    });
  }
}, 300_000);

afterAll(async () => {
  s3?.destroy();
  await stack?.stop();
});

async function call(caller: Caller, method: string, path: string, body?: Record<string, unknown>) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${caller.token}`, "content-type": "application/json" },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const enrol = (caller: Caller, photo: string, id: string, key: string, extra: Record<string, unknown> = {}) =>
  call(caller, "POST", "/index_faces", {
    image: facePhoto(photo).toString("base64"),
    bucket: caller.bucket,
    image_key: key,
    external_image_id: id,
    ...extra,
  });
const search = (caller: Caller, photo: string) =>
  call(caller, "POST", "/search_faces", { image: facePhoto(photo).toString("base64") });
const erase = (caller: Caller, bucket: string, id: string, deleteImage: boolean) =>
  call(caller, "POST", "/delete_faces_from_collection", { bucket, external_image_id: id, delete_image: deleteImage });
const audit = async (caller: Caller, id: string) =>
  (await call(caller, "GET", `/audit?external_image_id=${encodeURIComponent(id)}&limit=50`)).body.data.entries as {
    action: string;
    subject: string;
    object_keys: string[];
    outcome: { status: string; code?: string };
  }[];
const head = (bucket: string, key: string) => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));

describe("two tenants through the stack", () => {
  it("keep their enrolments, searches, 409 lists and erasures to themselves", async () => {
    const a = await enrol(acme, "same/obama_1.jpg", "person-a", "selfies/a.jpg");
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    // The same face in globex: not a duplicate there, acme's faces are not in its collection.
    const g = await enrol(globex, "same/obama_2.jpg", "person-g", "selfies/g.jpg", { dedupe: "reject" });
    expect(g.status, JSON.stringify(g.body)).toBe(200);
    expect(g.body.data.collection_id).not.toBe(a.body.data.collection_id);

    const ids = (answer: { body: Record<string, any> }) =>
      answer.body.data.matches.map((match: { external_image_id: string }) => match.external_image_id);
    expect(ids(await search(acme, "same/obama_3.jpg"))).toEqual(["person-a"]);
    expect(ids(await search(globex, "same/obama_3.jpg"))).toEqual(["person-g"]);

    const dup = await enrol(acme, "same/obama_3.jpg", "person-a2", "selfies/a2.jpg", { dedupe: "reject" });
    expect(dup.status).toBe(409);
    expect(dup.body.duplicates.map((match: { external_image_id: string }) => match.external_image_id)).toEqual([
      "person-a",
    ]);

    // globex cannot reach acme's bucket, nor acme's person in its own.
    expect((await erase(globex, acme.bucket, "person-a", true)).status).toBe(403);
    expect((await erase(globex, globex.bucket, "person-a", true)).body.code).toBe("FACE_NOT_FOUND");
    expect(ids(await search(acme, "same/obama_3.jpg"))).toEqual(["person-a"]);
    await head(acme.bucket, "selfies/a.jpg");
    expect(await audit(globex, "person-a")).toEqual([expect.objectContaining({ action: "erase" })]);
    expect((await audit(acme, "person-a")).every((entry) => entry.subject === "acme-operator")).toBe(true);
  });

  it("answers 409 IMAGE_KEY_TAKEN for another id's key and leaves the object as it was", async () => {
    const owner = await enrol(acme, "same/biden_1.jpg", "person-b", "selfies/b.jpg");
    expect(owner.status, JSON.stringify(owner.body)).toBe(200);
    const before = await head(acme.bucket, "selfies/b.jpg");
    const taken = await enrol(acme, "same/obama_1.jpg", "person-intruder", "selfies/b.jpg");
    expect(taken.status).toBe(409);
    expect(taken.body).toEqual({ msg: expect.stringContaining("selfies/b.jpg"), code: "IMAGE_KEY_TAKEN" });
    expect((await head(acme.bucket, "selfies/b.jpg")).ETag).toBe(before.ETag);
    expect((await enrol(acme, "same/biden_2.jpg", "person-b", "selfies/b.jpg")).status).toBe(200);
  });

  it("erases every object stored for a person, including a no-face upload and a refused duplicate", async () => {
    const keys = ["selfies/e-noface.jpg", "selfies/e-1.jpg", "selfies/e-2.jpg", "selfies/e-refused.jpg"];
    expect((await enrol(acme, "noface/gradient.jpg", "person-e", keys[0]!)).status).toBe(400);
    expect((await enrol(acme, "same/B001230_1.jpg", "person-e", keys[1]!)).status).toBe(200);
    expect((await enrol(acme, "same/B001230_2.jpg", "person-e", keys[2]!)).status).toBe(200);
    expect((await enrol(acme, "same/A000371_1.jpg", "person-f", "selfies/f.jpg")).status).toBe(200);
    expect((await enrol(acme, "same/A000371_2.jpg", "person-e", keys[3]!, { dedupe: "reject" })).status).toBe(409);
    for (const key of keys) await head(acme.bucket, key);

    const erased = await erase(acme, acme.bucket, "person-e", true);
    expect(erased.status, JSON.stringify(erased.body)).toBe(200);
    expect([...erased.body.response.deleted_image_keys].sort()).toEqual([...keys].sort());
    for (const key of keys) await expect(head(acme.bucket, key)).rejects.toMatchObject({ name: "NotFound" });
    await head(acme.bucket, "selfies/f.jpg");

    const trail = await audit(acme, "person-e");
    expect(trail.map((entry) => [entry.action, entry.outcome.status])).toEqual([
      ["erase", "deleted"],
      ["refuse", "duplicate"],
      ["enrol", "indexed"],
      ["enrol", "indexed"],
      ["refuse", "no_face"],
    ]);
    expect(await audit(globex, "person-e")).toEqual([]);
  });
});
