/**
 * GET /jobs/:request_id: the outcome of a request that timed out (504) or whose client went away.
 * 200 (or the 4xx) exactly as POST /index_faces would have answered once done, 202 while the job is
 * queued or running, 404 when unknown or not the caller's. Takes the X-Request-Id of any attempt,
 * or the job id itself (X-Job-Id).
 */
import type { FastifyInstance } from "fastify";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { IndexFacesJob } from "@faceindex/contracts";
import { authenticate } from "../auth.ts";
import { ServiceUnavailableError } from "../errors.ts";
import type { JobResult } from "../job-waiter.ts";
import { answerForJob } from "../outcome-answer.ts";
import { jobIdOfRequest } from "../request-jobs.ts";
import type { VerifyToken } from "../token-verifier.ts";

export interface JobsRouteDeps {
  redis: Pick<Redis, "get">;
  queue: Pick<Queue, "getJob">;
  prefix: string;
  verifyToken: VerifyToken;
}

const errorBody = {
  type: "object",
  properties: { msg: { type: "string" }, code: { type: "string" } },
  additionalProperties: true,
} as const;

export function registerJobsRoute(app: FastifyInstance, deps: JobsRouteDeps): void {
  app.get<{ Params: { request_id: string } }>(
    "/jobs/:request_id",
    {
      schema: {
        // Request ids are at most 128 characters (request-id.ts); job ids are 43.
        params: { type: "object", properties: { request_id: { type: "string", minLength: 1, maxLength: 128 } } },
        response: {
          200: { type: "object", additionalProperties: true },
          202: { type: "object", properties: { status: { type: "string" }, job_id: { type: "string" } } },
          "4xx": errorBody,
          "5xx": errorBody,
        },
      },
      onRequest: async (request) => {
        request.subject = (await authenticate(request.headers.authorization, deps.verifyToken)).subject;
      },
    },
    async (request, reply) => {
      const id = request.params.request_id;
      const job = await unavailableOnError(async () => {
        const jobId = (await jobIdOfRequest(deps.redis, deps.prefix, request.subject, id)) ?? id;
        return deps.queue.getJob(jobId);
      });
      // Someone else's job is as unknown as a missing one: its existence is not ours to reveal.
      if (!job || (job.data as Partial<IndexFacesJob>).subject !== request.subject) {
        return reply.status(404).send({ msg: `no job found for ${id}`, code: "JOB_NOT_FOUND" });
      }
      void reply.header("x-job-id", job.id);
      if (!job.finishedOn) return reply.status(202).send({ status: "pending", job_id: job.id });
      const result: JobResult =
        job.returnvalue !== null && job.returnvalue !== undefined
          ? { status: "completed", returnvalue: job.returnvalue }
          : { status: "failed", failedReason: job.failedReason };
      return answerForJob(result, id);
    },
  );
}

async function unavailableOnError<T>(command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch {
    throw new ServiceUnavailableError("The job store is unavailable; try again shortly");
  }
}
