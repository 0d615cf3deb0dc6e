/**
 * The outcome every job kind shares for a job that could not be done: a permanent error (bad image,
 * missing bucket, ...) or transient errors that outlived every retry. `retryable` tells the API whether
 * the caller may try again (503) or must change the request (4xx).
 */
export interface FailedOutcome {
  status: "failed";
  code: string;
  message: string;
  retryable: boolean;
}

export function failedOutcome(code: string, message: string, retryable: boolean): FailedOutcome {
  return { status: "failed", code, message, retryable };
}
