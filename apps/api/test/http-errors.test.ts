/** What a client gets for broken requests: never a 500, always a body saying what is wrong. */
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { bodyLimitFor } from "../src/http/body-limit.ts";
import { devToken, obamaJpeg, validBody } from "./support/harness.ts";
import { buildStubApp } from "./support/stub-app.ts";

const MAX_IMAGE_BYTES = 30_000;
const { app, enqueued } = buildStubApp({ maxImageBytes: MAX_IMAGE_BYTES });
afterAll(() => app.close());

async function post(payload: string | undefined, contentType = "application/json", extra: Record<string, string> = {}) {
  return app.inject({
    method: "POST",
    url: "/index_faces",
    headers: { authorization: `Bearer ${await devToken()}`, "content-type": contentType, ...extra },
    ...(payload === undefined ? {} : { payload }),
  });
}

describe("malformed requests", () => {
  it("invalid JSON -> 400 without echoing the body", async () => {
    const response = await post('{"image": "SECRETBYTES", bad');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ msg: "body is not valid JSON", code: "INVALID_BODY" });
  });

  it("empty body -> 400", async () => {
    const response = await post(undefined);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: "INVALID_BODY", msg: expect.stringContaining("empty") });
  });

  it("JSON that is not an object -> 400", async () => {
    for (const payload of ["[1,2]", '"text"', "42", "null"]) {
      const response = await post(payload);
      expect(response.statusCode, payload).toBe(400);
      expect(response.json().msg, payload).toMatch(/body/);
    }
  });

  it("wrong content type -> 415 with msg", async () => {
    const response = await post("image=abc", "application/x-www-form-urlencoded");
    expect(response.statusCode).toBe(415);
    expect(response.json()).toEqual({
      msg: "Content-Type must be application/json or multipart/form-data",
      code: "UNSUPPORTED_MEDIA_TYPE",
    });
  });

  it("a body over the limit -> 413 before parsing", async () => {
    const response = await post(`{"image":"${"A".repeat(bodyLimitFor(MAX_IMAGE_BYTES))}"}`);
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: "PAYLOAD_TOO_LARGE", msg: expect.any(String) });
  });

  it("an image that decodes past the limit but fits the body limit -> 413 IMAGE_TOO_LARGE", async () => {
    const image = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(MAX_IMAGE_BYTES)]).toString("base64");
    const response = await post(JSON.stringify(validBody({ image })));
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: "IMAGE_TOO_LARGE" });
  });

  it("an image at the limit, base64 wrapped at 76 with CRLF and slashes escaped (PHP's chunk_split + json_encode) -> not 413", async () => {
    const max = 4 * 1024 * 1024;
    const { app: big } = buildStubApp({ maxImageBytes: max });
    const bytes = Buffer.concat([obamaJpeg, randomBytes(max - obamaJpeg.length)]); // trailing bytes after EOI are allowed
    const wrapped = (bytes.toString("base64").match(/.{1,76}/g) ?? []).join("\r\n");
    const payload = JSON.stringify(validBody({ image: wrapped })).replaceAll("/", "\\/");
    const response = await big.inject({
      method: "POST",
      url: "/index_faces",
      headers: { authorization: `Bearer ${await devToken()}`, "content-type": "application/json" },
      payload,
    });
    await big.close();
    expect(response.statusCode).toBe(504); // accepted and enqueued; the stub never answers
  });

  it("deeply nested JSON does not crash the process", async () => {
    const depth = 100_000;
    for (const payload of [
      "[".repeat(depth) + "]".repeat(depth),
      `{"image":"x","extra":${'{"__proto__":'.repeat(depth)}1${"}".repeat(depth)}}`,
    ]) {
      const response = await post(payload);
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
      expect(response.json().msg).toEqual(expect.any(String));
    }
    expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
  });

  it("prototype poisoning -> 400", async () => {
    const response = await post(JSON.stringify(validBody()).replace(/}$/, ',"__proto__":{"admin":true}}'));
    expect(response.statusCode).toBe(400);
  });

  it("unknown route -> 404 with msg", async () => {
    const response = await app.inject({ method: "GET", url: "/nope" });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: "NOT_FOUND" });
  });

  it("never enqueued any of these", () => {
    expect(enqueued).toEqual([]);
  });
});

describe("authentication on the route", () => {
  it("401 with KwikID's body and WWW-Authenticate, before the body is read", async () => {
    const missing = await app.inject({ method: "POST", url: "/index_faces", payload: validBody() });
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toEqual({ detail: { reason: "missing" }, message: "Invalid token" });
    expect(missing.headers["www-authenticate"]).toBe('Bearer realm="faceindex"');

    const bad = await app.inject({
      method: "POST",
      url: "/index_faces",
      headers: { authorization: "Bearer a.b.c" },
      payload: "not even json",
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toEqual({ detail: { reason: "malformed" }, message: "Invalid token" });
    expect(bad.headers["www-authenticate"]).toContain('error="invalid_token"');
  });
});

describe("request ids", () => {
  it("every answer carries x-request-id, echoing a sane caller id", async () => {
    const ok = await app.inject({ method: "GET", url: "/healthz", headers: { "x-request-id": "trace-abc-123" } });
    expect(ok.headers["x-request-id"]).toBe("trace-abc-123");
    const unauthorized = await app.inject({ method: "POST", url: "/index_faces" });
    expect(unauthorized.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    const insane = await app.inject({ method: "GET", url: "/healthz", headers: { "x-request-id": "a:b" } });
    expect(insane.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });
});
