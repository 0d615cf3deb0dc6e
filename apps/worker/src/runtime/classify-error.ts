/**
 * Sorts an error from S3, Rekognition, Redis or the network into transient (worth a retry with
 * backoff) or permanent (the same request would fail again), with a code and a message for users.
 * Works on the shapes the AWS SDK v3 throws: `name`, `$metadata.httpStatusCode`, `$fault`, and
 * Node's network error `code`.
 */
export type ErrorKind = "transient" | "permanent";

export interface ClassifiedError {
  kind: ErrorKind;
  /** The AWS error name (e.g. ThrottlingException), or the network code (e.g. ECONNREFUSED). */
  code: string;
  /** Safe to show to a caller: no ARNs, no request ids. */
  message: string;
}

/** Throttling and server-side failures from Rekognition and S3: a later attempt usually succeeds. */
const TRANSIENT_NAMES = new Set([
  "ThrottlingException",
  "ProvisionedThroughputExceededException",
  "InternalServerError",
  "InternalError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "SlowDown",
  "RequestTimeout",
  "RequestTimeoutException",
  "TooManyRequestsException",
  "LimitExceededException",
  "TimeoutError",
]);

/** Socket-level failures: the endpoint is restarting, overloaded or briefly unreachable. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** User-facing explanations of the permanent errors callers can act on. */
const PERMANENT_MESSAGES: Record<string, string> = {
  InvalidImageFormatException: "The image could not be read as a JPEG or PNG; send a valid JPEG or PNG image",
  ImageTooLargeException: "The image is too large for face indexing; send a smaller image",
  InvalidParameterException: "Rekognition rejected the request's parameters",
  InvalidS3ObjectException: "Rekognition could not read the stored image from S3",
  ResourceNotFoundException: "The face collection does not exist",
  ServiceQuotaExceededException: "The face collection has reached its service quota",
  NoSuchBucket: "The bucket does not exist",
  InvalidBucketName: "The bucket name is not valid",
  AccessDenied: "Access denied: the service may not use this bucket",
  AccessDeniedException: "Access denied: the service may not use the face collection",
  InvalidAccessKeyId: "The service's AWS credentials were rejected",
  SignatureDoesNotMatch: "The service's AWS credentials were rejected",
};

/** Codes whose AWS message may name accounts or roles, so it is not passed on. */
const HIDE_AWS_MESSAGE = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
]);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

export function classifyError(error: unknown): ClassifiedError {
  const shape: ErrorShape = typeof error === "object" && error !== null ? (error as ErrorShape) : {};
  const name = typeof shape.name === "string" ? shape.name : "Error";
  const awsMessage = typeof shape.message === "string" ? shape.message : String(error);
  const status = typeof shape.$metadata?.httpStatusCode === "number" ? shape.$metadata.httpStatusCode : undefined;

  const networkCode = findNetworkCode(shape);
  if (networkCode) return { kind: "transient", code: networkCode, message: `Network error (${networkCode})` };
  if (TRANSIENT_NAMES.has(name)) return { kind: "transient", code: name, message: awsMessage || name };
  // 429 and 5xx are retryable whatever their name; so is any error the SDK marks as the server's fault.
  if (status === 429 || (status !== undefined && status >= 500) || shape.$fault === "server") {
    return { kind: "transient", code: name, message: awsMessage || name };
  }
  const known = PERMANENT_MESSAGES[name];
  if (known) {
    const detail = HIDE_AWS_MESSAGE.has(name) || !awsMessage ? "" : `: ${awsMessage}`;
    return { kind: "permanent", code: name, message: known + detail };
  }
  // Any other answer from AWS with a 4xx status is the request's fault: sending it again cannot help.
  if (shape.$fault === "client" || (status !== undefined && status >= 400)) {
    return { kind: "permanent", code: name, message: awsMessage || name };
  }
  // Not from AWS (e.g. a Redis hiccup): retrying is cheap and bounded by the job's attempts.
  return { kind: "transient", code: name, message: awsMessage || name };
}

function findNetworkCode(shape: ErrorShape): string | undefined {
  if (typeof shape.code === "string" && NETWORK_CODES.has(shape.code)) return shape.code;
  const cause = shape.cause as ErrorShape | undefined;
  if (cause && typeof cause.code === "string" && NETWORK_CODES.has(cause.code)) return cause.code;
  return undefined;
}
