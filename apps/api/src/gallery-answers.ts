/** Maps finished (or timed-out) delete and search jobs to their HTTP answers, like outcome-answer.ts. */
import type { DeletedFacesData, DeleteFacesOutcome, SearchFacesOutcome } from "@faceindex/contracts";
import { BadRequestError, GatewayTimeoutError } from "./errors.ts";
import type { JobResult } from "./job-waiter.ts";

export interface DeletedAnswer {
  success: true;
  response: DeletedFacesData;
}

export interface SearchAnswer {
  success: true;
  data: Extract<SearchFacesOutcome, { status: "searched" }>["data"];
}

export function answerForDelete(result: JobResult, requestId: string): DeletedAnswer {
  const outcome = returnValue<DeleteFacesOutcome>(result, requestId);
  switch (outcome?.status) {
    case "deleted":
      return { success: true, response: outcome.data };
    case "not_found":
      throw new BadRequestError("FACE_NOT_FOUND", outcome.message);
    case "failed":
      throw new BadRequestError(outcome.code, outcome.message);
    default:
      throw new Error(`job ${requestId} returned an unknown outcome`);
  }
}

export function answerForSearch(result: JobResult, requestId: string): SearchAnswer {
  const outcome = returnValue<SearchFacesOutcome>(result, requestId);
  switch (outcome?.status) {
    case "searched":
      return { success: true, data: outcome.data };
    case "no_face":
      throw new BadRequestError("NO_FACE_FOUND", outcome.message);
    case "failed":
      throw new BadRequestError(outcome.code, outcome.message);
    default:
      throw new Error(`job ${requestId} returned an unknown outcome`);
  }
}

/** The job's return value, or the error for a timeout (504) or a job that threw for good (400). */
function returnValue<Outcome>(result: JobResult, requestId: string): Outcome | null {
  if (result.status === "timeout") throw new GatewayTimeoutError(requestId);
  if (result.status === "failed") {
    // The reason stays in our logs: a thrown error is an infrastructure problem, not the caller's.
    throw new BadRequestError("PROCESSING_FAILED", "The request could not be processed after several attempts", {
      request_id: requestId,
    });
  }
  return result.returnvalue as Outcome | null;
}
