/**
 * GET /audit?external_image_id=...&limit=&cursor= (scope audit:read): what the service did with one
 * person's biometric data in the caller's tenant (enrolments, refusals, searches that matched them,
 * erasures: who, when, which faces and objects, how it ended), newest first, a page at a time. Without
 * external_image_id: the tenant's search trail. Entries are written by the worker (packages/audit); another
 * tenant's trail is never readable, whatever the id.
 */
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import { InvalidAuditQueryError, MAX_AUDIT_PAGE, readAudit } from "@faceindex/audit";
import type { Authorize } from "../auth/request-auth.ts";
import { BadRequestError, ServiceUnavailableError } from "../http/errors.ts";
import { errorBody, unauthorizedBody } from "../http/response-schemas.ts";

export interface AuditRouteDeps {
  redis: Pick<Redis, "xrevrange">;
  /** The queues' key prefix, under which the worker files the trails. */
  prefix: string;
  authorize: Authorize;
}

// A page a person's record fits on in the common case (a few enrolments, searches and one erasure).
const DEFAULT_PAGE = 50;

interface AuditQuerystring {
  external_image_id?: string;
  limit?: string;
  cursor?: string;
}

export function registerAuditRoute(app: FastifyInstance, deps: AuditRouteDeps): void {
  app.get<{ Querystring: AuditQuerystring }>(
    "/audit",
    {
      schema: {
        // Query values are strings (no type coercion here): limit is checked as digits, then converted.
        querystring: {
          type: "object",
          properties: {
            external_image_id: { type: "string", minLength: 1, maxLength: 255 },
            limit: { type: "string", pattern: "^[0-9]{1,4}$" },
            cursor: { type: "string", maxLength: 64 },
          },
          additionalProperties: false,
        },
        response: {
          200: { type: "object", additionalProperties: true },
          401: unauthorizedBody,
          "4xx": errorBody,
          "5xx": errorBody,
        },
      },
      onRequest: deps.authorize("audit:read"),
    },
    async (request) => {
      const { external_image_id: externalImageId, cursor } = request.query;
      const limit = request.query.limit === undefined ? DEFAULT_PAGE : Number(request.query.limit);
      if (limit < 1 || limit > MAX_AUDIT_PAGE) {
        throw new BadRequestError("INVALID_LIMIT", `limit must be from 1 to ${MAX_AUDIT_PAGE}`);
      }
      const page = await readAudit(
        deps.redis,
        { prefix: deps.prefix, tenant: request.tenant.name },
        { externalImageId, limit, cursor },
      ).catch((error: unknown) => {
        if (error instanceof InvalidAuditQueryError) throw new BadRequestError("INVALID_CURSOR", error.message);
        // Redis is down or slow: retry later, never a 500 with internals.
        throw new ServiceUnavailableError("The audit trail is unavailable; try again shortly");
      });
      return { success: true, data: { entries: page.entries, next_cursor: page.nextCursor } };
    },
  );
}
