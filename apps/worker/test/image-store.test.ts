/**
 * The conditional PUT with a plain-object fake of the S3 client (the 412 of AWS and the 501 of servers
 * without conditional writes, played here; the local S3's real 412 runs in tenants-erasure.test.ts), and
 * what the real SDK puts on the wire when the API's sha256 comes with the bytes.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { createImageStore } from "../src/adapters/s3/image-store.ts";

function s3Answering(...answers: (number | "ok")[]) {
  const sent: Record<string, unknown>[] = [];
  const client: Pick<S3Client, "send"> = {
    send: (async (command: { input: Record<string, unknown> }) => {
      sent.push(command.input);
      const answer = answers.shift();
      if (answer === "ok") return { ETag: '"abc"' };
      throw Object.assign(new Error(`status ${answer}`), { $metadata: { httpStatusCode: answer } });
    }) as Pick<S3Client, "send">["send"],
  };
  return { store: createImageStore(client), sent };
}

const put = (store: ReturnType<typeof createImageStore>) =>
  store.putImage("b", "k", Buffer.from("x"), "image/jpeg", { "external-image-id": "p" }, { onlyIfAbsent: true });

describe("putImage onlyIfAbsent", () => {
  it("sends If-None-Match: * and answers the etag", async () => {
    const { store, sent } = s3Answering("ok");
    expect(await put(store)).toEqual({ etag: "abc" });
    expect(sent[0]).toMatchObject({ IfNoneMatch: "*", Metadata: { "external-image-id": "p" } });
  });

  it("answers null when an object appeared at the key (412): nothing written", async () => {
    const { store, sent } = s3Answering(412);
    expect(await put(store)).toBeNull();
    expect(sent).toHaveLength(1);
  });

  it("answers null on a server that cannot check (501), so the caller looks before writing", async () => {
    const { store, sent } = s3Answering(501);
    expect(await put(store)).toBeNull();
    expect(sent).toHaveLength(1);
  });

  it("lets other errors through to the retry policy", async () => {
    const { store } = s3Answering(503);
    await expect(put(store)).rejects.toThrow("status 503");
  });
});

describe("putImage with the API's sha256", () => {
  it("signs that hash and sends it as the checksum, with the bytes as a plain body, under AWS's default settings", async () => {
    const bytes = Buffer.from("a selfie's bytes, standing in for a JPEG");
    // Not the bytes' own hash: only a hash the SDK did not compute itself can show that it was taken as given
    // (checking it is S3's job, which refuses a mismatch).
    const sha256 = createHash("sha256").update("the API's hash").digest();
    const received: { headers: IncomingHttpHeaders; body: Buffer }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200, { etag: '"etag-1"' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const client = new S3Client({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      // AWS's default: the SDK would add a CRC32 checksum of its own unless one is given.
      requestChecksumCalculation: "WHEN_SUPPORTED",
      maxAttempts: 1,
    });
    try {
      const store = createImageStore(client);
      const stored = await store.putImage("b", "k.jpg", bytes, "image/jpeg", {}, { sha256: sha256.toString("hex") });
      expect(stored).toEqual({ etag: "etag-1" });
    } finally {
      client.destroy();
      server.close();
    }
    const [{ headers, body }] = received as [(typeof received)[0]];
    expect(body.equals(bytes)).toBe(true);
    expect(headers["x-amz-content-sha256"]).toBe(sha256.toString("hex"));
    expect(headers["x-amz-checksum-sha256"]).toBe(sha256.toString("base64"));
    expect(headers["authorization"]).toContain("x-amz-content-sha256");
    expect(headers).not.toHaveProperty("x-amz-checksum-crc32");
    expect(headers["content-encoding"] ?? "").not.toContain("aws-chunked");
  });
});
