/**
 * Requests no SDK would send, correctly signed with the configured key (so the signature check is not what
 * stops them): percent-encoded traversal, an encoded '/' smuggling a '..' segment, a CopyObject whose source
 * walks out of the bucket, multipart uploads, malformed HTTP. Each gets an S3 XML error and nothing is
 * written outside the data dir.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from "../src/index.ts";
import { NodeSha256 } from "../src/verify-signature.ts";

let parent: string;
let s3: LocalS3;
const bucket = "raw-test";

beforeAll(async () => {
  parent = mkdtempSync(join(tmpdir(), "faceindex-local-s3-raw-"));
  s3 = await startLocalS3({ directory: join(parent, "data"), buckets: [bucket] });
});

afterAll(async () => {
  await s3?.close();
  rmSync(parent, { recursive: true, force: true });
});

const signer = new SignatureV4({
  credentials: LOCAL_S3_CREDENTIALS,
  region: "us-east-1",
  service: "s3",
  sha256: NodeSha256,
  uriEscapePath: false,
});

/** Signs `path` exactly as given (no normalisation) and sends it over a plain HTTP connection. */
async function signed(
  method: string,
  path: string,
  body = "",
  extraHeaders: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const { port } = new URL(s3.endpoint);
  const [pathname, search = ""] = path.split("?");
  const query = Object.fromEntries(new URLSearchParams(search));
  const host = `127.0.0.1:${port}`;
  const headers = {
    host,
    "x-amz-content-sha256": createHash("sha256").update(body).digest("hex"),
    ...extraHeaders,
  };
  const signedRequest = await signer.sign({
    method,
    protocol: "http:",
    hostname: "127.0.0.1",
    path: pathname!,
    query,
    headers,
  });
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers: signedRequest.headers }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("signed requests no SDK would send", () => {
  it("serves a plain signed GET (the signing here is right)", async () => {
    expect((await signed("PUT", `/${bucket}/ok/one.jpg`, "face")).status).toBe(200);
    const answer = await signed("GET", `/${bucket}/ok/one.jpg`);
    expect(answer).toEqual({ status: 200, body: "face" });
  });

  it.each([
    ["percent-encoded '..' segments", `/${bucket}/%2E%2E/%2e%2e/%2E%2E/%2E%2E/tmp/faceindex-raw-pwn`],
    ["an encoded '/' around '..'", `/${bucket}/ok%2F..%2F..%2F..%2Fescape`],
    ["a NUL byte", `/${bucket}/ok/a%00b`],
    ["an encoded traversal in the bucket name", `/%2E%2E/escape`],
  ])("answers a PUT with %s with an S3 400", async (_, path) => {
    const answer = await signed("PUT", path, "pwn");
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/<Code>(InvalidArgument|InvalidBucketName)<\/Code>/);
  });

  it("answers a CopyObject whose source walks out of the bucket with an S3 400", async () => {
    const answer = await signed("PUT", `/${bucket}/ok/copy.jpg`, "", {
      "x-amz-copy-source": `${bucket}/../../../../etc/hostname`,
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain("<Code>InvalidArgument</Code>");
  });

  it("answers multipart uploads with 501 NotImplemented", async () => {
    const answer = await signed("POST", `/${bucket}/ok/big.jpg?uploads=`);
    expect(answer.status).toBe(501);
    expect(answer.body).toContain("<Code>NotImplemented</Code>");
  });

  it("answers malformed HTTP with an S3 400 and keeps serving", async () => {
    const { port } = new URL(s3.endpoint);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => socket.write("GET / HTTP/1.1\r\nbad header\r\n\r\n"));
      let text = "";
      socket.on("data", (chunk) => (text += chunk.toString()));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    expect(reply).toMatch(/^HTTP\/1.1 400/);
    expect(reply).toContain("<Code>BadRequest</Code>");
    expect((await signed("GET", `/${bucket}/ok/one.jpg`)).status).toBe(200);
  });

  it("wrote nothing outside its directory", () => {
    expect(readdirSync(parent)).toEqual(["data"]);
    expect(readdirSync(join(parent, "data"))).toEqual([bucket]);
  });
});
