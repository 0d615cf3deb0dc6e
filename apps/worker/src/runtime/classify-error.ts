/**
 * Sorts an error from S3, Rekognition, Redis or the network into transient (worth a retry with
 * backoff) or permanent (the same request would fail again), with a code and a STABLE message for
 * users: the message is chosen here from the code, never copied from the SDK or the service (their text
 * can hold addresses, ARNs, signed URLs or SDK internals such as "inspect the hidden field
 * {error}.$response"). The raw text is for the worker's log only (`rawErrorText`).
 * Works on the shapes the AWS SDK v3 throws: `name`, `$metadata.httpStatusCode`, `$fault`, and
 * Node's network error `code`.
 */
export type ErrorKind = "transient" | "permanent";

export interface ClassifiedError {
  kind: ErrorKind;
  /** The AWS error name (e.g. ThrottlingException), or the network code (e.g. ECONNREFUSED). */
  code: string;
  /** Safe to show to a caller: the same for every error of this code, whatever the service wrote. */
  message: string;
}

/** Throttling: a later attempt succeeds once the caller slows down. */
const THROTTLE_NAMES = new Set([
  "ThrottlingException",
  "ProvisionedThroughputExceededException",
  "SlowDown",
  "TooManyRequestsException",
  "LimitExceededException",
]);

/** Server-side failures from Rekognition and S3: a later attempt usually succeeds. */
const SERVER_NAMES = new Set([
  "InternalServerError",
  "InternalError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
]);

const TIMEOUT_NAMES = new Set(["RequestTimeout", "RequestTimeoutException", "TimeoutError"]);

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
  "UND_ERR_SOCKET",
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
  // The local S3 (a filesystem underneath) answers these for keys it cannot hold, e.g. a 256-byte segment.
  InvalidArgument: "S3 cannot store an object under this image_key; choose another image_key",
  KeyTooLongError: "The image_key is too long for S3; choose a shorter image_key",
  AccessDenied: "Access denied: the service may not use this bucket",
  AccessDeniedException: "Access denied: the service may not use the face collection",
  InvalidAccessKeyId: "The service's AWS credentials were rejected",
  SignatureDoesNotMatch: "The service's AWS credentials were rejected",
};

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

const transient = (code: string, message: string): ClassifiedError => ({ kind: "transient", code, message });
const permanent = (code: string, message: string): ClassifiedError => ({ kind: "permanent", code, message });

export function classifyError(error: unknown): ClassifiedError {
  const shape: ErrorShape = typeof error === "object" && error !== null ? (error as ErrorShape) : {};
  const name = typeof shape.name === "string" && /^[\w.-]{1,64}$/.test(shape.name) ? shape.name : "Error";
  const status = typeof shape.$metadata?.httpStatusCode === "number" ? shape.$metadata.httpStatusCode : undefined;

  const networkCode = findNetworkCode(shape);
  if (networkCode) return transient(networkCode, `the service could not be reached (${networkCode})`);
  if (THROTTLE_NAMES.has(name)) return transient(name, `the service is throttling requests (${name})`);
  if (TIMEOUT_NAMES.has(name)) return transient(name, "the service did not answer in time");
  if (SERVER_NAMES.has(name)) return transient(name, `the service failed (${name})`);
  // 429 and 5xx are retryable whatever their name; so is any error the SDK marks as the server's fault.
  if (status === 429) return transient(name, `the service is throttling requests (${name})`);
  if ((status !== undefined && status >= 500) || shape.$fault === "server") {
    return transient(name, `the service failed (${name})`);
  }
  const known = PERMANENT_MESSAGES[name];
  if (known) return permanent(name, known);
  // The SDK could not read the answer at all (its service errors always carry $fault): a server that is
  // restarting or half-broken; another attempt is the right answer, not a 400.
  if (shape.$fault === undefined && status !== undefined) {
    return transient("UnreadableResponse", "the service sent an answer that could not be read");
  }
  // Any other answer from AWS with a 4xx status is the request's fault: sending it again cannot help.
  if (shape.$fault === "client" || (status !== undefined && status >= 400)) {
    return permanent(name, `the service refused the request (${name})`);
  }
  // Not from AWS (e.g. a Redis hiccup): retrying is cheap and bounded by the job's attempts.
  return transient(name, `an internal error occurred (${name})`);
}

function findNetworkCode(shape: ErrorShape): string | undefined {
  if (typeof shape.code === "string" && NETWORK_CODES.has(shape.code)) return shape.code;
  const cause = shape.cause as ErrorShape | undefined;
  if (cause && typeof cause.code === "string" && NETWORK_CODES.has(cause.code)) return cause.code;
  return undefined;
}

// What AWS text may carry that even our own log must not: ARNs (accounts, roles), 12-digit account ids, and
// the signature and credential parts of presigned URLs.
const SECRET_PATTERNS = [
  /arn:aws[\w-]*:[^\s"']*/g,
  /\b\d{12}\b/g,
  /(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s"']*/gi,
];
// The log line stays short: the first lines of an SDK message say what happened.
const MAX_RAW_CHARS = 500;

/** The error's own text, for the worker's log only: ARNs, account ids and URL signatures masked, bounded. */
export function rawErrorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  let masked = text.slice(0, MAX_RAW_CHARS);
  for (const pattern of SECRET_PATTERNS)
    masked = masked.replace(pattern, (_match, keep?: string) => `${typeof keep === "string" ? keep : ""}[masked]`);
  return masked;
}
