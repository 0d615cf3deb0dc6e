/**
 * `pnpm token [subject] [--scope S]... [--tenant T] [--tenant-claim C]`: prints a dev JWT for the local stack
 * (HS256 with JWT_SECRET or the stack's own secret). Every scope unless --scope narrows it (repeat it, or
 * pass several space- or comma-separated); no tenant claim unless --tenant names one.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { isScope, SCOPES } from "@faceindex/contracts";
import { signDevToken } from "@faceindex/dev-token";
import { devJwtSecret } from "./dev-secret.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    scope: { type: "string", multiple: true },
    tenant: { type: "string" },
    // The API's JWT_TENANT_CLAIM, when it is not the default "tenant".
    "tenant-claim": { type: "string", default: process.env.JWT_TENANT_CLAIM || "tenant" },
  },
});
const scopes = values.scope?.flatMap((value) => value.split(/[\s,]+/).filter(Boolean));
const unknown = scopes?.filter((scope) => !isScope(scope)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown scope ${unknown.join(", ")}; scopes are ${SCOPES.join(", ")}`);
  process.exit(2);
}
const secret = devJwtSecret(resolve(process.env.DATA_DIR ?? ".data"), process.env.JWT_SECRET);
const token = await signDevToken(secret, {
  subject: positionals[0] ?? "dev-user",
  expiresIn: process.env.TOKEN_TTL ?? "12h",
  ...(scopes ? { scopes } : {}),
  ...(values.tenant === undefined ? {} : { tenant: values.tenant, tenantClaim: values["tenant-claim"] }),
});
console.log(token);
