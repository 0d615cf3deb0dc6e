/**
 * The one place errors become HTTP answers: 4xx get `{msg, code}` (401 gets KwikID's
 * `{detail, message}`), 5xx get a generic message and the request id, never internals.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ClientError, GatewayTimeoutError, ServiceUnavailableError, UnauthorizedError } from "./errors.ts";

// Fastify's own client errors, with a message that does not echo the body.
const FASTIFY_CLIENT_ERRORS: Record<string, { status: number; code: string; msg: string }> = {
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: "INVALID_BODY", msg: "body is empty; send a JSON object" },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: "INVALID_BODY", msg: "body is not valid JSON" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: "UNSUPPORTED_MEDIA_TYPE",
    msg: "Content-Type must be application/json or multipart/form-data",
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: "PAYLOAD_TOO_LARGE", msg: "body is larger than the limit" },
  // multipart/form-data (input/multipart-body.ts): a file part past MAX_IMAGE_BYTES, or more parts than a request has.
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: "IMAGE_TOO_LARGE", msg: "image is larger than the limit" },
  FST_FILES_LIMIT: { status: 400, code: "INVALID_BODY", msg: "send one image file part" },
  FST_FIELDS_LIMIT: { status: 400, code: "INVALID_BODY", msg: "too many form fields" },
  FST_PARTS_LIMIT: { status: 400, code: "INVALID_BODY", msg: "too many form parts" },
  FST_INVALID_MULTIPART_CONTENT_TYPE: {
    status: 400,
    code: "INVALID_BODY",
    msg: "body is not valid multipart/form-data",
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: "INVALID_BODY",
    msg: "Content-Length does not match the body",
  },
};

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = answerFor(error, request.id);
    // Only the class and code are logged: messages of parse errors can quote the body.
    if (status === 500) request.log.error({ err: error }, "request failed");
    else if (status >= 500) request.log.warn({ status, code: body.code }, "request not served");
    else
      request.log.info({ status, code: body.code, reason: (error as { reason?: string }).reason }, "request refused");
    if (error instanceof UnauthorizedError) {
      const description =
        error.reason === "missing" ? "" : `, error="invalid_token", error_description="${error.reason}"`;
      void reply.header("www-authenticate", `Bearer realm="faceindex"${description}`);
    }
    if (error instanceof ServiceUnavailableError) void reply.header("retry-after", String(error.retryAfterSeconds));
    return reply.status(status).send(body);
  });
}

function answerFor(error: FastifyError, requestId: string): { status: number; body: Record<string, unknown> } {
  if (error instanceof UnauthorizedError) {
    return { status: 401, body: { detail: { reason: error.reason }, message: "Invalid token" } };
  }
  if (error instanceof ClientError)
    return { status: error.statusCode, body: { msg: error.message, code: error.code, ...error.extra } };
  if (error instanceof GatewayTimeoutError) {
    return {
      status: 504,
      body: { msg: error.message, code: error.code, request_id: error.requestId, job_id: error.jobId },
    };
  }
  if (error instanceof ServiceUnavailableError) {
    // Every 503 is worth retrying after Retry-After; `retryable` says so to clients that read only the body.
    return { status: 503, body: { msg: error.message, code: error.code, retryable: true, request_id: requestId } };
  }
  if (error.validation) return { status: 400, body: validationAnswer(error) };
  const known = error.code ? FASTIFY_CLIENT_ERRORS[error.code] : undefined;
  if (known) return { status: known.status, body: { msg: known.msg, code: known.code } };
  // Other Fastify 4xx (e.g. a bad header): the status is right, the message is Fastify's own.
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, body: { msg: error.message, code: error.code ?? "BAD_REQUEST" } };
  }
  return { status: 500, body: { msg: "Internal server error", code: "INTERNAL", request_id: requestId } };
}

/** ajv's first complaint, turned into `{msg, code}` naming the field. */
function validationAnswer(error: FastifyError): { msg: string; code: string } {
  const first = error.validation?.[0];
  const missing = first?.params?.missingProperty;
  const field = typeof missing === "string" ? missing : (first?.instancePath ?? "").split("/")[1];
  if (!field) return { msg: `body ${first?.message ?? "is invalid"}`, code: "INVALID_BODY" };
  const allowed = first?.keyword === "enum" ? first.params.allowedValues : undefined;
  const problem =
    typeof missing === "string"
      ? "is required"
      : `${first?.message ?? "is invalid"}${Array.isArray(allowed) ? ` (${allowed.join(", ")})` : ""}`;
  return { msg: `${field} ${problem}`, code: `INVALID_${field.toUpperCase()}` };
}
