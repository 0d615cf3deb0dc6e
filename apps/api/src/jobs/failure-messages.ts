/**
 * What a client reads for a failed job: a stable message chosen by the outcome's code, never the text the
 * worker carried from an SDK, S3 or the network (it can quote XML parse errors, hidden `$response` fields,
 * hosts, ARNs, or a local server's file system). The worker's own message stays in its logs. Unknown
 * codes get one generic message; a code that is not a plain identifier is replaced too.
 */
import { IMAGE_KEY_TAKEN, type FailedOutcome } from "@faceindex/contracts";

const MESSAGES: Record<string, string> = {
  // The worker's own outcomes.
  IMAGE_EXPIRED: "The uploaded image expired before a worker took the job; send the request again",
  INVALID_JOB: "The job's payload was invalid; send the request again",
  // Rekognition.
  InvalidImageFormatException: "The image could not be read as a JPEG or PNG; send a valid JPEG or PNG image",
  ImageTooLargeException: "The image is too large for face indexing; send a smaller image",
  InvalidParameterException: "The face service rejected the request's parameters",
  InvalidS3ObjectException: "The face service could not read the stored image",
  ResourceNotFoundException: "The face collection does not exist",
  ServiceQuotaExceededException: "The face collection has reached its service quota",
  AccessDeniedException: "Access denied: the service may not use the face collection",
  // S3: what it says about the bucket or the key (image_key) it was given.
  NoSuchBucket: "The bucket does not exist",
  InvalidBucketName: "The bucket name is not valid",
  KeyTooLongError: "The image store refused image_key: it is too long",
  InvalidArgument: "The image store refused the request: it cannot hold this image_key",
  AccessDenied: "Access denied: the service may not use this bucket",
  InvalidAccessKeyId: "The service's storage credentials were rejected",
  SignatureDoesNotMatch: "The service's storage credentials were rejected",
};

// Outages that outlived every attempt: the same words whichever dependency or socket error it was.
const UNAVAILABLE = "A service the request depends on was unavailable; try again shortly";
// AWS error names and Node's error codes are identifiers; anything else is not passed on as a code.
const PLAIN_CODE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** The outcome with a stable `code` and `message`; `retryable` is kept as the worker decided. */
export function stableFailure(outcome: FailedOutcome): FailedOutcome {
  // The worker writes this one itself from the request's own image_key: no dependency's text is in it.
  if (outcome.code === IMAGE_KEY_TAKEN) return outcome;
  const code = PLAIN_CODE.test(outcome.code) ? outcome.code : "PROCESSING_FAILED";
  const known = MESSAGES[code];
  const message =
    known ?? (outcome.retryable ? `${UNAVAILABLE} (${code})` : `The request could not be processed (${code})`);
  return { ...outcome, code, message };
}
