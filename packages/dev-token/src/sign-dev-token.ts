/** Signs an HS256 token for local use (`pnpm token`, tests); production tokens come from the identity provider. */
import { SignJWT } from "jose";
import { SCOPES } from "@faceindex/contracts";

export interface DevTokenOptions {
  subject: string;
  /** A jose time span such as "1h" or "15m", or seconds since the epoch. */
  expiresIn: string | number;
  issuer?: string;
  audience?: string;
  /** Written as the OAuth `scope` claim (space-separated); every scope when absent, none for []. */
  scopes?: readonly string[];
  /** The tenant claim's value; no claim when absent (a single-tenant deployment). */
  tenant?: string;
  /** The tenant claim's name, as the API's JWT_TENANT_CLAIM ("tenant"). */
  tenantClaim?: string;
}

export async function signDevToken(secret: string, options: DevTokenOptions): Promise<string> {
  const scopes = options.scopes ?? SCOPES;
  const claims: Record<string, unknown> = scopes.length > 0 ? { scope: scopes.join(" ") } : {};
  if (options.tenant !== undefined) claims[options.tenantClaim ?? "tenant"] = options.tenant;
  let jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(options.subject)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn);
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
