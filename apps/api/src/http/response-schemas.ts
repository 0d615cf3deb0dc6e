/** Response schemas shared by the routes: every 4xx/5xx is `{msg, code}`, a 401 is KwikID's `{detail, message}`. */

export const errorBody = {
  type: "object",
  properties: { msg: { type: "string" }, code: { type: "string" } },
  additionalProperties: true,
} as const;

export const unauthorizedBody = {
  type: "object",
  properties: { detail: { type: "object", additionalProperties: true }, message: { type: "string" } },
} as const;

/** The responses of a job-backed POST route whose 200 body is `{success, ...ok}`. */
export function jobRouteResponses(ok: Record<string, unknown>) {
  return {
    200: { type: "object", properties: { success: { type: "boolean" }, ...ok } },
    401: unauthorizedBody,
    "4xx": errorBody,
    "5xx": errorBody,
  };
}
