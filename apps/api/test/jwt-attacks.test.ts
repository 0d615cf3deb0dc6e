/**
 * Every known way to forge or bend a token, sent over real HTTP to both authenticated routes: all 401.
 * The app trusts an RS256 key set served by a JWKS endpoint on 127.0.0.1, with issuer and audience set.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT, base64url, exportJWK, exportSPKI, generateKeyPair, type CryptoKey } from "jose";
import { SCOPES } from "@faceindex/contracts";
import { createTokenVerifier } from "../src/auth/token-verifier.ts";
import { validBody } from "./support/harness.ts";
import { buildStubApp, type StubApp } from "./support/stub-app.ts";

const ISSUER = "https://id.kwikid.test";
const AUDIENCE = "faceindex";
const now = () => Math.floor(Date.now() / 1000);
let jwks: Server;
let stub: StubApp;
let baseUrl: string;
let privateKey: CryptoKey;
let publicPem: string;

beforeAll(async () => {
  const pair = await generateKeyPair("RS256", { extractable: true });
  privateKey = pair.privateKey;
  publicPem = await exportSPKI(pair.publicKey);
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: "key-1", alg: "RS256", use: "sig" };
  jwks = createServer((_req, res) =>
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] })),
  );
  await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
  const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
  stub = buildStubApp({ verifyToken: createTokenVerifier({ jwksUrl, issuer: ISSUER, audience: AUDIENCE }) });
  baseUrl = await stub.app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await stub?.app.close();
  await new Promise<void>((resolve) => jwks.close(() => resolve()));
});

// Every scope, so a valid token passes and every refusal below is about the token itself.
const claims = () => ({
  sub: "alice",
  scope: SCOPES.join(" "),
  iss: ISSUER,
  aud: AUDIENCE,
  iat: now(),
  exp: now() + 300,
});
const rs = (payload: Record<string, unknown>, header: Record<string, unknown> = {}, key: CryptoKey = privateKey) =>
  new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: "key-1", ...header }).sign(key);
const hs = (payload: Record<string, unknown>, secret: string | Uint8Array, header: Record<string, unknown> = {}) =>
  new SignJWT(payload)
    .setProtectedHeader({ alg: "HS256", kid: "key-1", ...header })
    .sign(typeof secret === "string" ? new TextEncoder().encode(secret) : secret);
const unsigned = (header: Record<string, unknown>, payload: Record<string, unknown>) =>
  `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}.`;

/** Authorization header values, each an attack. */
async function attacks(): Promise<Record<string, string | undefined>> {
  const good = await rs(claims());
  const [h, p, s] = good.split(".") as [string, string, string];
  const other = await generateKeyPair("RS256");
  const tamperedPayload = base64url.encode(JSON.stringify({ ...claims(), sub: "admin" }));
  return {
    "alg none": `Bearer ${unsigned({ alg: "none", typ: "JWT" }, claims())}`,
    "alg NONE": `Bearer ${unsigned({ alg: "NONE", kid: "key-1" }, claims())}`,
    "HS256 signed with the RS public key (PEM)": `Bearer ${await hs(claims(), publicPem)}`,
    "HS256 with an empty-ish secret": `Bearer ${await hs(claims(), new Uint8Array(32))}`,
    expired: `Bearer ${await rs({ ...claims(), exp: now() - 3600 })}`,
    "not yet valid": `Bearer ${await rs({ ...claims(), nbf: now() + 3600 })}`,
    "wrong issuer": `Bearer ${await rs({ ...claims(), iss: "https://evil.test" })}`,
    "no issuer": `Bearer ${await rs({ sub: "alice", aud: AUDIENCE, exp: now() + 300 })}`,
    "wrong audience": `Bearer ${await rs({ ...claims(), aud: "another-service" })}`,
    "unknown kid": `Bearer ${await rs(claims(), { kid: "key-2" })}`,
    "right kid, another key": `Bearer ${await rs(claims(), {}, other.privateKey)}`,
    "tampered payload": `Bearer ${h}.${tamperedPayload}.${s}`,
    "tampered header (alg swapped)": `Bearer ${base64url.encode(JSON.stringify({ alg: "HS256", kid: "key-1" }))}.${p}.${s}`,
    "signature stripped": `Bearer ${h}.${p}.`,
    "signature of another token": `Bearer ${h}.${p}.${(await rs({ ...claims(), sub: "bob" })).split(".")[2]}`,
    "no subject": `Bearer ${await rs({ iss: ISSUER, aud: AUDIENCE, exp: now() + 300 })}`,
    garbage: "Bearer abc.def.ghi",
    "not base64url": "Bearer ***.***.***",
    "four parts": `Bearer ${good}.extra`,
    "JWE-shaped (five parts)": `Bearer a.b.c.d.e`,
    "missing header": undefined,
    "empty header": "",
    "Basic scheme": "Basic YWxpY2U6cGFzc3dvcmQ=",
    "Bearer without token": "Bearer ",
    "token without scheme": good,
    "huge token": `Bearer ${"a".repeat(9_000)}.${p}.${s}`,
  };
}

describe("JWT attacks over HTTP", () => {
  it("a valid token passes (control)", async () => {
    const response = await fetch(`${baseUrl}/jobs/unknown-request-1`, {
      headers: { authorization: `Bearer ${await rs(claims())}` },
    });
    expect(response.status).toBe(404);
  });

  it("every attack is answered 401 on POST /index_faces and GET /jobs/:id", async () => {
    const cases = await attacks();
    const statuses: Record<string, number[]> = {};
    for (const [name, authorization] of Object.entries(cases)) {
      const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
      const post = await fetch(`${baseUrl}/index_faces`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify(validBody()),
      });
      const get = await fetch(`${baseUrl}/jobs/some-request-1`, { headers });
      statuses[name] = [post.status, get.status];
      expect(await post.json(), name).toMatchObject({
        message: "Invalid token",
        detail: { reason: expect.any(String) },
      });
      expect(post.headers.get("www-authenticate"), name).toMatch(/^Bearer realm="faceindex"/);
    }
    const answered = Object.values(statuses).flat();
    console.log(
      `jwt attacks: ${Object.keys(cases).length} attacks x 2 routes = ${answered.length} requests, ${answered.filter((s) => s === 401).length} answered 401`,
    );
    for (const [name, pair] of Object.entries(statuses)) expect(pair, name).toEqual([401, 401]);
    expect(stub.enqueued).toEqual([]);
  });
});
