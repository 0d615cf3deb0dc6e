/**
 * Owns `request.subject`: declares it on the app once, and returns the onRequest hook that sets it from
 * the Authorization header, before the body is parsed, so an anonymous caller cannot make us parse
 * megabytes. app.ts calls it before registering any route and hands the hook to the routes that need a
 * caller, so no route depends on another having been registered first.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { authenticate } from "./authenticate.ts";
import type { VerifyToken } from "./token-verifier.ts";

export type AuthenticateHook = (request: FastifyRequest) => Promise<void>;

export function registerAuth(app: FastifyInstance, verifyToken: VerifyToken): AuthenticateHook {
  app.decorateRequest("subject", "");
  return async (request) => {
    request.subject = (await authenticate(request.headers.authorization, verifyToken)).subject;
  };
}

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated caller (the token's `sub`); set by the hook registerAuth returns. */
    subject: string;
  }
}
