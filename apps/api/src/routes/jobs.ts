/**
 * GET /jobs/:request_id: the outcome of a request that timed out (504) or whose client went away, for
 * every job-backed route (index_faces, delete_faces_from_collection, search_faces). 200 (or the 4xx)
 * exactly as the POST route would have answered once done, 202 while the job is queued or running, 404
 * when unknown or not the caller's (another subject, or another tenant). Scope jobs:read. Takes the X-Request-Id of any attempt, or the job id itself (X-Job-Id).
 *
 * A search's stored outcome is served too: it is what the caller's own search found at the time (the
 * probe itself is never stored), kept as long as any finished job; a caller wanting today's gallery
 * searches again.
 */
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import type { Authorize } from "../auth/request-auth.ts";
import { errorBody } from "../http/response-schemas.ts";
import { ownedBy, ownerOf } from "../jobs/job-owner.ts";
import { KIND_ANSWERS } from "../jobs/kinds.ts";
import type { Lanes } from "../jobs/lanes.ts";
import { jobIdOfRequest } from "../jobs/request-jobs.ts";
import { unavailableOnError } from "../jobs/unavailable-on-error.ts";
import { resultOfFinishedJob } from "../jobs/wait/finished-jobs.ts";

export interface JobsRouteDeps {
  redis: Pick<Redis, "get">;
  prefix: string;
  authorize: Authorize;
  /** Every queue a job may be in: one lane per kind, whose answer serves its jobs. */
  lanes: Lanes;
}

export function registerJobsRoute(app: FastifyInstance, deps: JobsRouteDeps): void {
  app.get<{ Params: { request_id: string } }>(
    "/jobs/:request_id",
    {
      schema: {
        // Request ids are at most 128 characters (http/request-id.ts); job ids are 43.
        params: { type: "object", properties: { request_id: { type: "string", minLength: 1, maxLength: 128 } } },
        response: {
          200: { type: "object", additionalProperties: true },
          202: { type: "object", properties: { status: { type: "string" }, job_id: { type: "string" } } },
          "4xx": errorBody,
          "5xx": errorBody,
        },
      },
      onRequest: deps.authorize("jobs:read"),
    },
    async (request, reply) => {
      const id = request.params.request_id;
      const owner = ownerOf(request);
      const found = await unavailableOnError(async () => {
        const jobId = (await jobIdOfRequest(deps.redis, deps.prefix, owner, id)) ?? id;
        // Job ids hash in their queue's name (idempotency.ts), so at most one queue holds this caller's job.
        const jobs = await Promise.all(
          Object.values(deps.lanes).map(async (lane) => ({ kind: lane.kind, job: await lane.queue.getJob(jobId) })),
        );
        // Someone else's job (another subject, or the same subject in another tenant) is as unknown as a
        // missing one: its existence is not ours to reveal.
        return jobs.find(({ job }) => job !== undefined && ownedBy(job.data, owner));
      }, "The job store is unavailable; try again shortly");
      if (!found?.job) return reply.status(404).send({ msg: `no job found for ${id}`, code: "JOB_NOT_FOUND" });
      const { job, kind } = found;
      void reply.header("x-job-id", job.id);
      if (!job.finishedOn) return reply.status(202).send({ status: "pending", job_id: job.id });
      // By its state, as the waiter decides (jobs/wait/finished-jobs.ts): a job that completed with null or a
      // non-outcome is answered as POST would (a 500 hiding it), never as a failed job's 400.
      const state = await unavailableOnError(() => job.getState(), "The job store is unavailable; try again shortly");
      const result = resultOfFinishedJob(state, job);
      // Gone since getJob (its retention ran out in between): as unknown as a missing job.
      if (!result) return reply.status(404).send({ msg: `no job found for ${id}`, code: "JOB_NOT_FOUND" });
      return KIND_ANSWERS[kind].answer(result, id);
    },
  );
}
