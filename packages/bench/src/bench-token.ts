/** The bench's caller: a dev token with every scope, signed as `pnpm token` signs them. */
import { signDevToken } from "@faceindex/dev-token";

export function signBenchToken(secret: string, subject: string): Promise<string> {
  // Longer than any bench run.
  return signDevToken(secret, { subject, expiresIn: "2h" });
}
