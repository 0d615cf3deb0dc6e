/** An HS256 token as the API's dev tokens are (`pnpm token`), signed here: packages never import apps. */
import { SignJWT } from "jose";

export function signBenchToken(secret: string, subject: string): Promise<string> {
  return (
    new SignJWT({})
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(subject)
      .setIssuedAt()
      // Longer than any bench run.
      .setExpirationTime("2h")
      .sign(new TextEncoder().encode(secret))
  );
}
