/**
 * Maps a finished job to the HTTP answer of its route, one function per kind: the 200 body, or the
 * error thrown (the error handler turns it into 400 / 409, 503 for a retryable failure, or 500 for an unknown outcome). POST routes
 * and GET /jobs/:request_id share them, so a fetched outcome is exactly the original answer.
 */
import type {
  DeletedFacesData,
  DeleteFacesOutcome,
  FailedOutcome,
  IndexedFaceData,
  IndexFacesOutcome,
  SearchFacesOutcome,
} from "@faceindex/contracts";
import { IMAGE_KEY_TAKEN } from "@faceindex/contracts";
import { BadRequestError, ConflictError, ServiceUnavailableError } from "../http/errors.ts";
import { stableFailure } from "./failure-messages.ts";
import type { FinishedJobResult } from "./wait/job-result.ts";

export interface IndexedAnswer {
  success: true;
  message: string;
  data: IndexedFaceData;
}

export interface DeletedAnswer {
  success: true;
  response: DeletedFacesData;
}

export interface SearchAnswer {
  success: true;
  data: Extract<SearchFacesOutcome, { status: "searched" }>["data"];
}

export function answerForIndex(result: FinishedJobResult, requestId: string): IndexedAnswer {
  const outcome = outcomeOf<IndexFacesOutcome>(
    result,
    requestId,
    "The image could not be processed after several attempts",
  );
  switch (outcome?.status) {
    case "indexed":
      return { success: true, message: "Face indexed", data: outcome.data };
    case "no_face":
      throw new BadRequestError("NO_FACE_INDEXED", outcome.message, { unindexed_faces: outcome.unindexed_faces });
    case "duplicate":
      throw new ConflictError("DUPLICATE_FACE", outcome.message, { duplicates: outcome.duplicates });
    case "quality_rejected":
      // The caller must retake the selfie: a 400 naming each reason and the measurements behind them.
      throw new BadRequestError("QUALITY_REJECTED", outcome.message, { reasons: outcome.reasons, face: outcome.face });
    case "failed":
      throw failedAnswer(outcome);
    default:
      throw unknownOutcome(requestId);
  }
}

const GALLERY_FAILED = "The request could not be processed after several attempts";

export function answerForDelete(result: FinishedJobResult, requestId: string): DeletedAnswer {
  const outcome = outcomeOf<DeleteFacesOutcome>(result, requestId, GALLERY_FAILED);
  switch (outcome?.status) {
    case "deleted":
      return { success: true, response: outcome.data };
    case "not_found":
      throw new BadRequestError("FACE_NOT_FOUND", outcome.message);
    case "failed":
      throw failedAnswer(outcome);
    default:
      throw unknownOutcome(requestId);
  }
}

export function answerForSearch(result: FinishedJobResult, requestId: string): SearchAnswer {
  const outcome = outcomeOf<SearchFacesOutcome>(result, requestId, GALLERY_FAILED);
  switch (outcome?.status) {
    case "searched":
      return { success: true, data: outcome.data };
    case "no_face":
      throw new BadRequestError("NO_FACE_FOUND", outcome.message);
    case "failed":
      throw failedAnswer(outcome);
    default:
      throw unknownOutcome(requestId);
  }
}

// A job gives up on a transient failure after spreading its attempts over most of the wait: the dependency is
// down for longer than a restart, so the caller comes back in a few seconds, not at once.
const RETRY_AFTER_FAILED_JOB_SECONDS = 5;

/** A job that failed: 503 + Retry-After when a later try may succeed (outage, throttling), else 400. */
function failedAnswer(outcome: FailedOutcome): Error {
  if (outcome.retryable) {
    return new ServiceUnavailableError(outcome.message, RETRY_AFTER_FAILED_JOB_SECONDS, outcome.code);
  }
  // The key holds another person's image: a conflict with stored state, not a malformed request.
  if (outcome.code === IMAGE_KEY_TAKEN) return new ConflictError(IMAGE_KEY_TAKEN, outcome.message);
  return new BadRequestError(outcome.code, outcome.message);
}

/** The job's return value (its outcome), or, for a job that threw for good, 400 PROCESSING_FAILED saying `failedMessage`. */
function outcomeOf<Outcome>(result: FinishedJobResult, requestId: string, failedMessage: string): Outcome | null {
  if (result.status === "failed") {
    // The reason stays in our logs: a thrown error is an infrastructure problem, not the caller's.
    throw new BadRequestError("PROCESSING_FAILED", failedMessage, { request_id: requestId });
  }
  const outcome = result.returnvalue as Outcome | null;
  // A failed outcome's words come from the API (failure-messages.ts), never from the worker's SDK errors.
  return isFailedOutcome(outcome) ? (stableFailure(outcome) as Outcome) : outcome;
}

function isFailedOutcome(outcome: unknown): outcome is FailedOutcome {
  const candidate = outcome as Partial<FailedOutcome> | null;
  return candidate?.status === "failed" && typeof candidate.code === "string";
}

/** A 500 that hides what the job returned. */
function unknownOutcome(requestId: string): Error {
  return new Error(`job ${requestId} returned an unknown outcome`);
}
