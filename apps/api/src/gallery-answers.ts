/** Maps finished (or timed-out) delete and search jobs to their HTTP answers, like outcome-answer.ts. */
import type { DeletedFacesData, DeleteFacesOutcome, SearchFacesOutcome } from "@faceindex/contracts";
import { BadRequestError } from "./errors.ts";
import type { JobResult } from "./job-waiter.ts";
import { outcomeOf } from "./outcome-answer.ts";

export interface DeletedAnswer {
  success: true;
  response: DeletedFacesData;
}

export interface SearchAnswer {
  success: true;
  data: Extract<SearchFacesOutcome, { status: "searched" }>["data"];
}

const FAILED = "The request could not be processed after several attempts";

export function answerForDelete(result: JobResult, requestId: string): DeletedAnswer {
  const outcome = outcomeOf<DeleteFacesOutcome>(result, requestId, FAILED);
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
  const outcome = outcomeOf<SearchFacesOutcome>(result, requestId, FAILED);
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
