/** Maps a finished (or timed-out) job to the HTTP answer of POST /index_faces. */
import type { IndexFacesOutcome, IndexedFaceData } from "@faceindex/contracts";
import { BadRequestError, ConflictError, GatewayTimeoutError } from "./errors.ts";
import type { JobResult } from "./job-waiter.ts";

export interface IndexedAnswer {
  success: true;
  message: string;
  data: IndexedFaceData;
}

/** Returns the 200 body, or throws the error that the error handler turns into 400 / 409 / 504 / 500. */
export function answerForJob(result: JobResult, requestId: string): IndexedAnswer {
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
    case "failed":
      throw new BadRequestError(outcome.code, outcome.message);
    default:
      throw new Error(`job ${requestId} returned an unknown outcome`);
  }
}

/**
 * The job's return value (its outcome), or the error for a timeout (504) or a job that threw for good
 * (400 PROCESSING_FAILED, saying `failedMessage`). Shared by the answers of every kind of job.
 */
export function outcomeOf<Outcome>(result: JobResult, requestId: string, failedMessage: string): Outcome | null {
  if (result.status === "timeout") throw new GatewayTimeoutError(requestId);
  if (result.status === "failed") {
    // The reason stays in our logs: a thrown error is an infrastructure problem, not the caller's.
    throw new BadRequestError("PROCESSING_FAILED", failedMessage, { request_id: requestId });
  }
  return result.returnvalue as Outcome | null;
}
