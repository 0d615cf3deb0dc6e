/**
 * The few errors routes throw; `error-handler.ts` maps each to its HTTP answer in one place.
 * Every client error carries a stable `code` and a `msg` that names what is wrong.
 */

/** A 4xx answered `{msg, code, ...extra}`; the subclasses below only fix the status. */
export class ClientError extends Error {
  readonly statusCode: number;
  readonly code: string;
  /** Extra fields for the answer body, e.g. unindexed_faces or the duplicates of a refused enrolment. */
  readonly extra: Record<string, unknown>;
  constructor(statusCode: number, code: string, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
    this.extra = extra;
  }
}

export class BadRequestError extends ClientError {
  constructor(code: string, message: string, extra: Record<string, unknown> = {}) {
    super(400, code, message, extra);
  }
}

/** A valid token whose caller may not do this (scope, tenant, bucket). */
export class ForbiddenError extends ClientError {
  constructor(code: string, message: string, extra: Record<string, unknown> = {}) {
    super(403, code, message, extra);
  }
}

export class PayloadTooLargeError extends ClientError {
  constructor(code: string, message: string) {
    super(413, code, message);
  }
}

export class ConflictError extends ClientError {
  constructor(code: string, message: string, extra: Record<string, unknown> = {}) {
    super(409, code, message, extra);
  }
}

export class UnauthorizedError extends Error {
  readonly statusCode = 401;
  /** Why the token was refused: missing, malformed, expired, invalid_signature, ... */
  readonly reason: string;
  constructor(reason: string) {
    super(`Invalid token: ${reason}`);
    this.reason = reason;
  }
}

export class GatewayTimeoutError extends Error {
  readonly statusCode = 504;
  readonly code = "TIMEOUT";
  readonly requestId: string;
  /** The job that keeps running; `GET /jobs/:request_id` (or the job id) answers once it is done. */
  readonly jobId: string;
  /** `stillRunning`: what is still running, in the caller's terms (see jobs/kinds.ts). */
  constructor(requestId: string, jobId: string, stillRunning: string) {
    super(`${stillRunning}; the job was not lost and keeps running`);
    this.requestId = requestId;
    this.jobId = jobId;
  }
}

export class ServiceUnavailableError extends Error {
  readonly statusCode = 503;
  /** The job's own code when it failed for a transient reason (e.g. ECONNREFUSED, ThrottlingException). */
  readonly code: string;
  /** Sent as Retry-After: a Redis blip heals in about a second, an overload takes longer to drain. */
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds = 1, code = "SERVICE_UNAVAILABLE") {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
    this.code = code;
  }
}
