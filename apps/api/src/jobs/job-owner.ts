/**
 * Whose job it is: the tenant and the token's subject. Both are part of every job id derivation
 * (idempotency.ts), of every request-id lookup (request-jobs.ts) and of every check that a job found by id
 * is the caller's (GET /jobs, a replay), so two tenants, or two callers of one tenant, never see, attach to
 * or read each other's jobs.
 */
import { DEFAULT_TENANT } from "@faceindex/contracts";

export interface JobOwner {
  tenant: string;
  subject: string;
}

export function ownerOf(request: { tenant: { name: string }; subject: string }): JobOwner {
  return { tenant: request.tenant.name, subject: request.subject };
}

/** Whether a job's payload belongs to `owner`; a job queued before tenants existed is the default tenant's. */
export function ownedBy(data: unknown, owner: JobOwner): boolean {
  const { tenant, subject } = (data ?? {}) as { tenant?: unknown; subject?: unknown };
  return subject === owner.subject && (tenant ?? DEFAULT_TENANT) === owner.tenant;
}
