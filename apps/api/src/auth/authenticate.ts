/** Turns the Authorization header into the verified token, or throws UnauthorizedError. */
import { UnauthorizedError } from "../http/errors.ts";
import type { VerifiedToken, VerifyToken } from "./token-verifier.ts";

// A JWT is three base64url parts; anything else is refused before jose sees it.
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)\s*$/i;
// Real tokens are well under this; a huge header is refused without decoding it.
const MAX_TOKEN_CHARS = 8_192;

export async function authenticate(
  authorization: string | undefined,
  verifyToken: VerifyToken,
): Promise<VerifiedToken> {
  if (!authorization) throw new UnauthorizedError("missing");
  if (authorization.length > MAX_TOKEN_CHARS) throw new UnauthorizedError("malformed");
  const token = BEARER.exec(authorization)?.[1];
  if (!token) throw new UnauthorizedError("malformed");
  return verifyToken(token);
}
