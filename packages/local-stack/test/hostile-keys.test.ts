/**
 * Issue 10's findings 2 and 3 against the whole stack: `index_faces` with an image_key the local S3 cannot
 * hold (a 258-byte segment, traversal out of the data dir or into another bucket) is refused, the stack stays
 * ready and serves the next request, and nothing is written outside DATA_DIR.
 */
import { existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { LOCAL_S3_CREDENTIALS } from "@faceindex/local-s3";
import { facePhoto, uniqueName } from "@faceindex/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startThrowawayStack, type ThrowawayStack } from "../src/throwaway-stack.ts";

let stack: ThrowawayStack;
const image = facePhoto("same/obama_1.jpg").toString("base64");
// A directory name no one else uses, so "not created" is a real check.
const outside = uniqueName("faceindex-pwn");

beforeAll(async () => {
  stack = await startThrowawayStack({
    name: "hostile-keys",
    faceEngine: "load-test",
    redisUrl: inject("redisUrl"),
    stdio: "ignore",
    // Short wait: a refused key must not be retried for long before it is answered.
    extraEnv: { LOG_LEVEL: "error", LOAD_TEST_LATENCY_MS: "10" },
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

function indexFaces(imageKey: string, externalImageId: string): Promise<Response> {
  return fetch(`${stack.apiUrl}/index_faces`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
    body: JSON.stringify({ image, bucket: stack.bucket, image_key: imageKey, external_image_id: externalImageId }),
  });
}

describe("image keys the local S3 cannot hold", () => {
  it.each([
    ["a 258-byte segment", `selfies/${"n".repeat(250)}.jpg.jpg`],
    ["a traversal out of the data dir", `../../../../../../../../../..${tmpdir()}/${outside}/pwn`],
    ["a traversal into another bucket", "../other-bucket/x"],
  ])("refuses %s with a 4xx, and the stack keeps answering", async (_, key) => {
    const refused = await indexFaces(key, uniqueName("hostile"));
    expect(refused.status, await refused.clone().text()).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);

    expect((await fetch(`${stack.apiUrl}/readyz`)).status).toBe(200);
    const next = await indexFaces(`selfies/${uniqueName("ok")}.jpg`, uniqueName("ok"));
    expect(next.status, await next.clone().text()).toBe(200);
  });

  it("wrote nothing outside the data dir and created no bucket", async () => {
    expect(existsSync(join(tmpdir(), outside))).toBe(false);
    expect(readdirSync(join(stack.dataDir, "s3")).sort()).toEqual([stack.bucket]);
    const s3 = new S3Client({
      endpoint: stack.s3Endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: LOCAL_S3_CREDENTIALS,
    });
    try {
      expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual([stack.bucket]);
    } finally {
      s3.destroy();
    }
  });
});
