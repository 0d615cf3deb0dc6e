/**
 * The job catalog: every kind of job the API submits and the worker runs, with what both sides must
 * agree on. Adding a kind means a contract file (payload schema, outcome), one entry here, one
 * processor in the worker and one route in the API.
 */
import type { JobsOptions } from "bullmq";
import type { z } from "zod";
import {
  DELETE_FACES_QUEUE,
  deleteFacesJobSchema,
  type DeleteFacesJob,
  type DeleteFacesOutcome,
} from "./delete-faces.ts";
import {
  INDEX_FACES_QUEUE,
  imageRedisKey,
  indexFacesJobSchema,
  type IndexFacesJob,
  type IndexFacesOutcome,
} from "./index-faces.ts";
import { DEFAULT_JOB_OPTIONS } from "./queue-settings.ts";
import {
  SEARCH_FACES_QUEUE,
  searchFacesJobSchema,
  searchImageRedisKey,
  type SearchFacesJob,
  type SearchFacesOutcome,
} from "./search-faces.ts";

/** Per kind, the job's payload (what the API enqueues) and its outcome (what the worker returns). */
export interface JobTypes {
  index: { payload: IndexFacesJob; outcome: IndexFacesOutcome };
  delete: { payload: DeleteFacesJob; outcome: DeleteFacesOutcome };
  search: { payload: SearchFacesJob; outcome: SearchFacesOutcome };
}

export type JobKind = keyof JobTypes;
export type JobPayload<Kind extends JobKind> = JobTypes[Kind]["payload"];
export type JobOutcome<Kind extends JobKind> = JobTypes[Kind]["outcome"];

export interface JobSpec<Kind extends JobKind> {
  queueName: string;
  /** The worker parses every payload with it: a job enqueued by another version must not be trusted blindly. */
  payload: z.ZodType<JobPayload<Kind>>;
  jobOptions: JobsOptions;
  /** Where the API parks the image bytes for the worker (`parkedKey(jobId, prefix)`); null: the kind carries no image. */
  parkedKey: ((jobId: string, prefix: string) => string) | null;
}

export const JOBS: { readonly [Kind in JobKind]: JobSpec<Kind> } = {
  index: {
    queueName: INDEX_FACES_QUEUE,
    payload: indexFacesJobSchema,
    jobOptions: DEFAULT_JOB_OPTIONS,
    parkedKey: imageRedisKey,
  },
  delete: {
    queueName: DELETE_FACES_QUEUE,
    payload: deleteFacesJobSchema,
    jobOptions: DEFAULT_JOB_OPTIONS,
    parkedKey: null,
  },
  search: {
    queueName: SEARCH_FACES_QUEUE,
    payload: searchFacesJobSchema,
    jobOptions: DEFAULT_JOB_OPTIONS,
    parkedKey: searchImageRedisKey,
  },
};

/** Every kind, in a stable order (the API opens one lane per kind, the worker one worker per kind). */
export const JOB_KINDS = Object.keys(JOBS) as JobKind[];

/**
 * Every `status` a worker's outcome can carry, across the kinds (the metrics label them; anything else is a
 * bug or an older worker, counted apart, never a new label).
 */
export const OUTCOME_STATUSES: ReadonlySet<string> = new Set([
  "indexed",
  "no_face",
  "duplicate",
  "quality_rejected",
  "deleted",
  "not_found",
  "searched",
  "failed",
]);
