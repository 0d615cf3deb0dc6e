/** JWT verification: HS256, RS256 via PEM, ES256 via a JWKS served on 127.0.0.1, and the attacks. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT, base64url, exportJWK, exportSPKI, generateKeyPair, type CryptoKey } from "jose";
import { authenticate } from "../src/auth/authenticate.ts";
import { signDevToken } from "@faceindex/dev-token";
import { createTokenVerifier } from "../src/auth/token-verifier.ts";

const SECRET = "hs256-secret-with-at-least-32-bytes!!";
const now = () => Math.floor(Date.now() / 1000);

function hsToken(claims: Record<string, unknown>, secret = SECRET): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(secret));
}

async function reasonOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { reason?: string }).reason ?? (error as Error).constructor.name;
  }
}

describe("HS256 with JWT_SECRET", () => {
  const verify = createTokenVerifier({ secret: SECRET });

  it("accepts a valid token and returns its subject", async () => {
    const token = await signDevToken(SECRET, { subject: "alice", expiresIn: "5m" });
    await expect(verify(token)).resolves.toMatchObject({ subject: "alice" });
  });

  it("refuses an expired token", async () => {
    const token = await hsToken({ sub: "alice", exp: now() - 3600 });
    expect(await reasonOf(verify(token))).toBe("expired");
  });

  it("refuses a token that is not valid yet (nbf)", async () => {
    const token = await hsToken({ sub: "alice", nbf: now() + 3600, exp: now() + 7200 });
    expect(await reasonOf(verify(token))).toBe("not_yet_valid");
  });

  it("refuses a token signed with another secret", async () => {
    const token = await hsToken({ sub: "alice", exp: now() + 60 }, "another-secret-with-32-bytes-or-more!!");
    expect(await reasonOf(verify(token))).toBe("invalid_signature");
  });

  it("refuses alg none", async () => {
    const header = base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }));
    const payload = base64url.encode(JSON.stringify({ sub: "alice", exp: now() + 60 }));
    expect(await reasonOf(verify(`${header}.${payload}.`))).toBe("algorithm_not_allowed");
  });

  it("refuses a token without a subject", async () => {
    const token = await hsToken({ exp: now() + 60 });
    expect(await reasonOf(verify(token))).toBe("missing_subject");
  });

  it("checks iss and aud when configured", async () => {
    const strict = createTokenVerifier({ secret: SECRET, issuer: "https://id.kwikid.test", audience: "faceindex" });
    const good = await hsToken({ sub: "a", exp: now() + 60, iss: "https://id.kwikid.test", aud: "faceindex" });
    const wrongIss = await hsToken({ sub: "a", exp: now() + 60, iss: "https://evil.test", aud: "faceindex" });
    const wrongAud = await hsToken({ sub: "a", exp: now() + 60, iss: "https://id.kwikid.test", aud: "other" });
    await expect(strict(good)).resolves.toMatchObject({ subject: "a" });
    expect(await reasonOf(strict(wrongIss))).toBe("invalid_issuer");
    expect(await reasonOf(strict(wrongAud))).toBe("invalid_audience");
  });
});

describe("RS256 with a PEM public key", async () => {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const pem = await exportSPKI(publicKey);
  const verify = createTokenVerifier({ publicKeyPem: pem });

  it("accepts a token signed with the private key", async () => {
    const token = await new SignJWT({ sub: "bob" })
      .setProtectedHeader({ alg: "RS256" })
      .setExpirationTime("5m")
      .sign(privateKey);
    await expect(verify(token)).resolves.toMatchObject({ subject: "bob" });
  });

  it("refuses an HS256 token that uses the RSA public key as its secret", async () => {
    const forged = await hsToken({ sub: "mallory", exp: now() + 60 }, pem);
    expect(await reasonOf(verify(forged))).toBe("algorithm_not_allowed");
  });

  it("refuses an HS256 token when only a public key is configured, even a valid-looking one", async () => {
    const token = await hsToken({ sub: "mallory", exp: now() + 60 });
    expect(await reasonOf(verify(token))).toBe("algorithm_not_allowed");
  });
});

describe("ES256 through a JWKS URL", () => {
  let server: Server;
  let jwksUrl: string;
  let privateKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair("ES256", { extractable: true });
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: "key-1", alg: "ES256", use: "sig" };
    server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("accepts a token signed by a key in the set", async () => {
    const verify = createTokenVerifier({ jwksUrl });
    const token = await new SignJWT({ sub: "carol" })
      .setProtectedHeader({ alg: "ES256", kid: "key-1" })
      .setExpirationTime("5m")
      .sign(privateKey);
    await expect(verify(token)).resolves.toMatchObject({ subject: "carol" });
  });

  it("refuses a token signed by a key that is not in the set", async () => {
    const verify = createTokenVerifier({ jwksUrl });
    const other = await generateKeyPair("ES256");
    const token = await new SignJWT({ sub: "carol" })
      .setProtectedHeader({ alg: "ES256", kid: "key-1" })
      .setExpirationTime("5m")
      .sign(other.privateKey);
    expect(await reasonOf(verify(token))).toBe("invalid_signature");
  });

  it("reports the key server as unavailable (503), not the token as invalid, when the JWKS cannot be fetched", async () => {
    const verify = createTokenVerifier({ jwksUrl: "http://127.0.0.1:9/jwks.json" });
    const token = await new SignJWT({ sub: "carol" })
      .setProtectedHeader({ alg: "ES256", kid: "key-1" })
      .setExpirationTime("5m")
      .sign(privateKey);
    expect(await reasonOf(verify(token))).toBe("ServiceUnavailableError");
  });
});

describe("Authorization header", () => {
  const verify = createTokenVerifier({ secret: SECRET });

  it("is missing, not Bearer, or not a JWT", async () => {
    expect(await reasonOf(authenticate(undefined, verify))).toBe("missing");
    expect(await reasonOf(authenticate("Basic dXNlcjpwYXNz", verify))).toBe("malformed");
    expect(await reasonOf(authenticate("Bearer not-a-jwt", verify))).toBe("malformed");
    expect(await reasonOf(authenticate(`Bearer ${"a".repeat(10_000)}.b.c`, verify))).toBe("malformed");
  });

  it("passes a well-formed Bearer token to the verifier", async () => {
    const token = await signDevToken(SECRET, { subject: "dave", expiresIn: "1m" });
    await expect(authenticate(`Bearer ${token}`, verify)).resolves.toMatchObject({ subject: "dave" });
  });
});
