/**
 * The three kinds of job the API submits, with what differs between them: the queue, the job options,
 * what a 504 says is still running, and how the outcome becomes the HTTP answer. The POST routes and
 * GET /jobs/:request_id share one answer per kind, so a fetched outcome is exactly the original answer.
 */
import type { JobsOptions } from "bullmq";
import { JOBS } from "@faceindex/contracts";
import { answerForDelete, answerForSearch } from "./gallery-answers.ts";
import type { JobResult } from "./job-waiter.ts";
import { answerForJob } from "./outcome-answer.ts";

export interface JobKind<Answer = unknown> {
  queueName: string;
  jobOptions: JobsOptions;
  /** The 504's first words: what is still running, in the caller's terms. */
  stillRunning: string;
  /** The 200 body, or the 4xx thrown, for a finished job. */
  answer(result: JobResult, requestId: string): Answer;
}

export const INDEX_FACES_JOB: JobKind<ReturnType<typeof answerForJob>> = {
  queueName: JOBS.index.queueName,
  jobOptions: JOBS.index.jobOptions,
  stillRunning: "The image is still being processed",
  answer: answerForJob,
};

export const DELETE_FACES_JOB: JobKind<ReturnType<typeof answerForDelete>> = {
  queueName: JOBS.delete.queueName,
  jobOptions: JOBS.delete.jobOptions,
  stillRunning: "The faces are still being deleted",
  answer: answerForDelete,
};

export const SEARCH_FACES_JOB: JobKind<ReturnType<typeof answerForSearch>> = {
  queueName: JOBS.search.queueName,
  jobOptions: JOBS.search.jobOptions,
  stillRunning: "The search is still running",
  answer: answerForSearch,
};
