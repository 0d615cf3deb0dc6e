/**
 * The few errors routes throw; `error-handler.ts` maps each to its HTTP answer in one place.
 * Every client error carries a stable `code` and a `msg` that names what is wrong.
 */

export class BadRequestError extends Error {
  readonly statusCode = 400;
  constructor(
    readonly code: string,
    message: string,
    /** Extra fields for the answer body, e.g. unindexed_faces. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class PayloadTooLargeError extends Error {
  readonly statusCode = 413;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class UnauthorizedError extends Error {
  readonly statusCode = 401;
  /** Why the token was refused: missing, malformed, expired, invalid_signature, ... */
  constructor(readonly reason: string) {
    super(`Invalid token: ${reason}`);
  }
}

export class GatewayTimeoutError extends Error {
  readonly statusCode = 504;
  readonly code = "TIMEOUT";
  constructor(readonly requestId: string) {
    super("The image is still being processed; the job was not lost and keeps running");
  }
}

export class ServiceUnavailableError extends Error {
  readonly statusCode = 503;
  readonly code = "SERVICE_UNAVAILABLE";
}

export class ConflictError extends Error {
  readonly statusCode = 409;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
