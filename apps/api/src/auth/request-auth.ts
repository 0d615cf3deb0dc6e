/**
 * Owns `request.subject`, `request.tenant` and `request.scopes`: declares them on the app once, and returns
 * `authorize(scope)`, the onRequest hook a route gets for the one scope it needs. The hook runs before the
 * body is parsed, so an anonymous or unauthorised caller cannot make us parse megabytes: 401 for a token
 * that is not valid, 403 for a valid one whose tenant is unknown or which lacks the scope.
 * app.ts calls it before registering any route, so no route depends on another having been registered first.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Scope } from "@faceindex/contracts";
import { requireScope, resolveAccess, type AccessPolicy } from "./access-policy.ts";
import { authenticate } from "./authenticate.ts";
import type { Tenant } from "./tenants.ts";
import type { VerifyToken } from "./token-verifier.ts";

export type AuthenticateHook = (request: FastifyRequest) => Promise<void>;
/** The hook for a route needing `scope`. */
export type Authorize = (scope: Scope) => AuthenticateHook;

export function registerAuth(app: FastifyInstance, verifyToken: VerifyToken, policy: AccessPolicy): Authorize {
  app.decorateRequest("subject", "");
  app.decorateRequest("tenant", null as unknown as Tenant);
  app.decorateRequest("scopes", null as unknown as ReadonlySet<Scope>);
  return (scope) => async (request) => {
    const { subject, claims } = await authenticate(request.headers.authorization, verifyToken);
    const access = resolveAccess(policy, claims);
    request.subject = subject;
    request.tenant = access.tenant;
    request.scopes = access.scopes;
    requireScope(access, scope);
  };
}

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated caller (the token's `sub`); set by the hook registerAuth returns. */
    subject: string;
    /** The caller's tenant: its name, collection and buckets. */
    tenant: Tenant;
    /** The scopes the token grants. */
    scopes: ReadonlySet<Scope>;
  }
}
