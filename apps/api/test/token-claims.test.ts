/**
 * The claim rules of issue 10: a token must expire (exp), may not be minted for longer than
 * JWT_MAX_TOKEN_AGE, and may not claim to be issued in the future; a verifier checking neither issuer
 * nor audience is warned about.
 */
import { describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import { createTokenVerifier, tokenScopeWarning } from "../src/auth/token-verifier.ts";

const SECRET = "hs256-secret-with-at-least-32-bytes!!";
const HOUR = 3600;
const now = () => Math.floor(Date.now() / 1000);

function hsToken(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(SECRET));
}

async function reasonOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { reason?: string }).reason ?? (error as Error).constructor.name;
  }
}

describe("token claims", () => {
  const verify = createTokenVerifier({ secret: SECRET, maxTokenAgeSeconds: HOUR });

  it("refuses a token without exp, saying exp is missing", async () => {
    expect(await reasonOf(verify(await hsToken({ sub: "alice", iat: now() })))).toBe("missing_exp");
    expect(await reasonOf(verify(await hsToken({ sub: "alice" })))).toBe("missing_exp");
  });

  it("refuses a token minted for longer than the maximum age, with or without iat", async () => {
    expect(await reasonOf(verify(await hsToken({ sub: "alice", iat: now(), exp: now() + 2 * HOUR })))).toBe(
      "lifetime_too_long",
    );
    // Without iat, what is left of it counts: leaving iat out buys no longer life.
    expect(await reasonOf(verify(await hsToken({ sub: "alice", exp: now() + 2 * HOUR })))).toBe("lifetime_too_long");
    // An old long-lived token near its end is still one minted for too long.
    expect(await reasonOf(verify(await hsToken({ sub: "alice", iat: now() - 3 * HOUR, exp: now() + 60 })))).toBe(
      "lifetime_too_long",
    );
  });

  it("accepts tokens within the maximum age", async () => {
    await expect(verify(await hsToken({ sub: "alice", iat: now(), exp: now() + HOUR }))).resolves.toMatchObject({
      subject: "alice",
    });
    await expect(verify(await hsToken({ sub: "alice", exp: now() + 600 }))).resolves.toMatchObject({
      subject: "alice",
    });
  });

  it("refuses an iat beyond the clock tolerance in the future, and accepts small skew", async () => {
    expect(await reasonOf(verify(await hsToken({ sub: "alice", iat: now() + 600, exp: now() + 900 })))).toBe(
      "issued_in_future",
    );
    await expect(verify(await hsToken({ sub: "alice", iat: now() + 5, exp: now() + 600 }))).resolves.toMatchObject({
      subject: "alice",
    });
  });

  it("checks iat in the future even without a maximum age", async () => {
    const unbounded = createTokenVerifier({ secret: SECRET });
    expect(await reasonOf(unbounded(await hsToken({ sub: "alice", iat: now() + 600, exp: now() + 900 })))).toBe(
      "issued_in_future",
    );
  });

  it("warns when neither issuer nor audience is checked", () => {
    expect(tokenScopeWarning({})).toMatch(/neither JWT_ISSUER nor JWT_AUDIENCE/);
    expect(tokenScopeWarning({ issuer: "https://idp.example" })).toBeUndefined();
    expect(tokenScopeWarning({ audience: "faceindex" })).toBeUndefined();
  });
});
