/**
 * What the API adds to each job kind of the catalog (packages/contracts jobs.ts): what a 504 says is
 * still running, and how a finished job becomes the HTTP answer.
 */
import type { JobKind } from "@faceindex/contracts";
import { answerForDelete, answerForIndex, answerForSearch } from "./answers.ts";
import type { FinishedJobResult } from "./wait/job-result.ts";

export interface KindAnswer {
  /** The 504's first words: what is still running, in the caller's terms. */
  stillRunning: string;
  /** The 200 body, or the 4xx thrown, for a finished job. */
  answer(result: FinishedJobResult, requestId: string): unknown;
}

export const KIND_ANSWERS: { readonly [Kind in JobKind]: KindAnswer } = {
  index: { stillRunning: "The image is still being processed", answer: answerForIndex },
  search: { stillRunning: "The search is still running", answer: answerForSearch },
  delete: { stillRunning: "The faces are still being deleted", answer: answerForDelete },
};
