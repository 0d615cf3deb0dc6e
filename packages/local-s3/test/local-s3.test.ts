/**
 * The local S3 as a client sees it, over HTTP with the official SDK and with raw requests: keys a filesystem
 * cannot hold safely and unsigned or wrongly signed requests get S3 error answers, nothing is written outside
 * its directory, and the server keeps answering after each.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from "../src/index.ts";

let parent: string;
let s3: LocalS3;
let client: S3Client;
const bucket = "selfies-test";

beforeAll(async () => {
  // The data dir sits in its own parent so "nothing outside it" can be checked by listing the parent.
  parent = mkdtempSync(join(tmpdir(), "faceindex-local-s3-"));
  s3 = await startLocalS3({ directory: join(parent, "data"), buckets: [bucket] });
  client = clientWith(LOCAL_S3_CREDENTIALS);
});

afterAll(async () => {
  client?.destroy();
  await s3?.close();
  rmSync(parent, { recursive: true, force: true });
});

function clientWith(credentials: { accessKeyId: string; secretAccessKey: string }): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials,
    maxAttempts: 1,
  });
}

async function s3ErrorOf(promise: Promise<unknown>): Promise<{ status: number | undefined; code: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return { status: error.$metadata.httpStatusCode, code: error.name };
    throw error;
  }
  throw new Error("the request succeeded");
}

async function stillAnswers(): Promise<void> {
  const key = `alive/${Math.random()}.jpg`;
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "ok" }));
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  expect(await object.Body!.transformToString()).toBe("ok");
}

function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body = "",
): Promise<{ status: number; body: string }> {
  const { port } = new URL(s3.endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("the local S3", () => {
  it("stores and serves an object for the configured key", async () => {
    await stillAnswers();
  });

  it("refuses a conditional write over an existing object with 412, as S3 does, and writes a new key", async () => {
    const key = `conditional/${Math.random()}.jpg`;
    const conditional = (body: string) =>
      client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, IfNoneMatch: "*" }));
    await conditional("first");
    expect(await s3ErrorOf(conditional("second"))).toEqual({ status: 412, code: "PreconditionFailed" });
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await object.Body!.transformToString()).toBe("first");
  });

  it.each([
    ["a 258-byte segment", `selfies/${"n".repeat(258)}`],
    ["a 250-byte last segment (no room for s3rver's file suffix)", `selfies/${"n".repeat(250)}`],
    ["a traversal out of the data dir", "../../../../tmp/faceindex-pwn/x"],
    ["a traversal into another bucket", "../other-bucket/x"],
    ["a '.' segment", "selfies/./x.jpg"],
    ["an empty segment", "selfies//x.jpg"],
    ["a leading '/'", "/selfies/x.jpg"],
  ])("answers PUT, GET and DELETE of a key with %s with a 400 S3 error", async (_, key) => {
    for (const command of [
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: "pwn" }),
      new GetObjectCommand({ Bucket: bucket, Key: key }),
      new DeleteObjectCommand({ Bucket: bucket, Key: key }),
    ]) {
      // The SDK's send() overloads do not take a union of commands.
      const error = await s3ErrorOf(client.send(command as PutObjectCommand));
      expect(error.status).toBe(400);
      expect(error.code).toMatch(/InvalidArgument|KeyTooLongError/);
    }
    await stillAnswers();
  });

  it("wrote nothing outside its directory and created no bucket", async () => {
    expect(readdirSync(parent)).toEqual(["data"]);
    expect(readdirSync(join(parent, "data")).sort()).toEqual([bucket]);
    const { Buckets } = await client.send(new ListBucketsCommand({}));
    expect(Buckets?.map((b) => b.Name)).toEqual([bucket]);
  });

  it("stores the longest last segment it accepts", async () => {
    const key = `selfies/${"n".repeat(233)}`;
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "long" }));
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await object.Body!.transformToString()).toBe("long");
  });

  it("refuses another access key and a wrong secret", async () => {
    const stranger = clientWith({ accessKeyId: "AKIASTRANGER", secretAccessKey: "S3RVER" });
    const guesser = clientWith({ accessKeyId: LOCAL_S3_CREDENTIALS.accessKeyId, secretAccessKey: "guess" });
    expect(await s3ErrorOf(stranger.send(new ListBucketsCommand({})))).toEqual({
      status: 403,
      code: "InvalidAccessKeyId",
    });
    expect(await s3ErrorOf(guesser.send(new GetObjectCommand({ Bucket: bucket, Key: "alive/x" })))).toEqual({
      status: 403,
      code: "SignatureDoesNotMatch",
    });
    stranger.destroy();
    guesser.destroy();
  });

  it("accepts other configured credentials and only those", async () => {
    const credentials = { accessKeyId: "AKIALOCALTEST", secretAccessKey: "a-longer-secret" };
    const other = await startLocalS3({ directory: join(parent, "data-2"), buckets: [bucket], credentials });
    const ours = new S3Client({ endpoint: other.endpoint, region: "eu-west-1", forcePathStyle: true, credentials });
    const defaults = new S3Client({
      endpoint: other.endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: LOCAL_S3_CREDENTIALS,
      maxAttempts: 1,
    });
    try {
      await ours.send(new PutObjectCommand({ Bucket: bucket, Key: "a/b.jpg", Body: "x" }));
      expect((await ours.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual([bucket]);
      expect((await s3ErrorOf(defaults.send(new ListBucketsCommand({})))).code).toBe("InvalidAccessKeyId");
    } finally {
      ours.destroy();
      defaults.destroy();
      await other.close();
      rmSync(join(parent, "data-2"), { recursive: true, force: true });
    }
  });

  it("refuses anonymous GETs and PUTs with an XML 403, even for traversal paths", async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "selfies/secret.jpg", Body: "face" }));
    for (const [method, path] of [
      ["GET", `/${bucket}/selfies/secret.jpg`],
      ["GET", `/${bucket}?list-type=2`],
      ["PUT", `/${bucket}/../../../../tmp/faceindex-pwn`],
      ["PUT", `/${bucket}/selfies/${"n".repeat(258)}`],
    ] as const) {
      const answer = await raw(method, path, {}, method === "PUT" ? "pwn" : "");
      expect(answer.status).toBe(403);
      expect(answer.body).toContain("<Code>AccessDenied</Code>");
    }
    const forged = await raw("GET", `/${bucket}/selfies/secret.jpg`, {
      authorization: `AWS ${LOCAL_S3_CREDENTIALS.accessKeyId}:c2lnbmF0dXJl`,
    });
    expect(forged.status).toBe(403);
    expect(readdirSync(parent)).toEqual(["data"]);
    await stillAnswers();
  });

  it("answers malformed paths with a 400 rather than failing", async () => {
    const answer = await raw("GET", `/${bucket}/%E0%A4%A`);
    expect(answer.status).toBe(400);
    expect(answer.body).toContain("<Code>InvalidURI</Code>");
    await stillAnswers();
  });
});
