/** `pnpm token`: prints a dev JWT for the local stack (HS256 with JWT_SECRET or the stack's own secret). */
import { resolve } from "node:path";
import { signDevToken } from "@faceindex/dev-token";
import { devJwtSecret } from "./dev-secret.ts";

const secret = devJwtSecret(resolve(process.env.DATA_DIR ?? ".data"), process.env.JWT_SECRET);
const subject = process.argv[2] ?? "dev-user";
console.log(await signDevToken(secret, { subject, expiresIn: process.env.TOKEN_TTL ?? "12h" }));
