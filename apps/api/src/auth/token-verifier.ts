/**
 * Verifies a Bearer JWT with jose and returns its subject. The accepted algorithms are pinned by
 * the configured key type (HS256 for a secret, RS256 or ES256 for a public key or JWKS), so neither
 * `alg: none` nor an HS256 token "signed" with our public key can pass.
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import { createRemoteJWKSet, errors, jwtVerify, type JWSAlgorithm, type JWTVerifyGetKey } from "jose";
import { ServiceUnavailableError, UnauthorizedError } from "../http/errors.ts";

export interface TokenKeyOptions {
  secret?: string | undefined;
  publicKeyPem?: string | undefined;
  jwksUrl?: string | undefined;
  issuer?: string | undefined;
  audience?: string | undefined;
}

/** A verified token: its `sub`, and every claim (scopes and tenant are read from them: auth/access-policy.ts). */
export interface VerifiedToken {
  subject: string;
  claims: Record<string, unknown>;
}

/** Resolves to the verified token or rejects with UnauthorizedError. */
export type VerifyToken = (token: string) => Promise<VerifiedToken>;

// Allows small clock skew between the token issuer and this host, without stretching expiry much.
const CLOCK_TOLERANCE_SECONDS = 30;
// A slow identity provider must not hold requests long; the JWKS is cached after the first fetch.
const JWKS_TIMEOUT_MS = 5_000;

export function createTokenVerifier(options: TokenKeyOptions): VerifyToken {
  const { key, algorithms } = resolveKey(options);
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, key as KeyObject, {
        algorithms,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        ...(options.issuer ? { issuer: options.issuer } : {}),
        ...(options.audience ? { audience: options.audience } : {}),
      });
      if (typeof payload.sub !== "string" || payload.sub === "") throw new UnauthorizedError("missing_subject");
      return { subject: payload.sub, claims: payload };
    } catch (error) {
      throw toAuthError(error);
    }
  };
}

function resolveKey(options: TokenKeyOptions): {
  key: Uint8Array | KeyObject | JWTVerifyGetKey;
  algorithms: JWSAlgorithm[];
} {
  if (options.secret) return { key: new TextEncoder().encode(options.secret), algorithms: ["HS256"] };
  if (options.publicKeyPem) {
    const key = createPublicKey(options.publicKeyPem);
    if (key.asymmetricKeyType === "rsa") return { key, algorithms: ["RS256"] };
    if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") {
      return { key, algorithms: ["ES256"] };
    }
    throw new Error("JWT_PUBLIC_KEY must be an RSA or EC P-256 public key");
  }
  if (options.jwksUrl) {
    const jwks = createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: JWKS_TIMEOUT_MS });
    const getKey: JWTVerifyGetKey = async (header, token) => {
      try {
        return await jwks(header, token);
      } catch (error) {
        if (isTokenProblem(error)) throw error;
        // Fetch failed, timed out or returned junk: our dependency is down, not the caller's fault.
        throw new ServiceUnavailableError("The token signing keys cannot be fetched right now");
      }
    };
    return { key: getKey, algorithms: ["RS256", "ES256"] };
  }
  throw new Error("No JWT key configured: set JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS_URL");
}

function toAuthError(error: unknown): Error {
  if (error instanceof UnauthorizedError) return error;
  if (error instanceof errors.JWTExpired) return new UnauthorizedError("expired");
  if (error instanceof errors.JWTClaimValidationFailed) {
    const byClaim: Record<string, string> = { nbf: "not_yet_valid", iss: "invalid_issuer", aud: "invalid_audience" };
    return new UnauthorizedError(byClaim[error.claim] ?? "invalid_claims");
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return new UnauthorizedError("invalid_signature");
  if (error instanceof errors.JOSEAlgNotAllowed) return new UnauthorizedError("algorithm_not_allowed");
  if (error instanceof errors.JWKSNoMatchingKey) return new UnauthorizedError("unknown_key");
  if (error instanceof ServiceUnavailableError) return error;
  return new UnauthorizedError("malformed");
}

/** Errors of the JWKS lookup that are about the token (its kid or alg), not about the key server. */
function isTokenProblem(error: unknown): boolean {
  return (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JOSENotSupported ||
    error instanceof errors.JWSInvalid
  );
}
