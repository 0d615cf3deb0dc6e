/** Signs an HS256 token for local use (`pnpm token`, tests); production tokens come from the identity provider. */
import { SignJWT } from "jose";

export interface DevTokenOptions {
  subject: string;
  /** A jose time span such as "1h" or "15m", or seconds since the epoch. */
  expiresIn: string | number;
  issuer?: string;
  audience?: string;
}

export async function signDevToken(secret: string, options: DevTokenOptions): Promise<string> {
  let jwt = new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(options.subject)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn);
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
