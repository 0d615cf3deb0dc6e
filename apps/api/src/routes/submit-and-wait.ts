/**
 * What every job-backed POST route does once the body is valid: name the job, remember which job this
 * request id is (for GET /jobs/:request_id), submit it (or attach to it), wait up to the sync timeout,
 * and answer with the kind's answer, or 504 with the job id when the job is still running.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Redis } from "ioredis";
import { GatewayTimeoutError, ServiceUnavailableError } from "../errors.ts";
import type { JobKind } from "../job-kinds.ts";
import type { JobWaiter } from "../job-waiter.ts";
import type { JobOutcomes } from "../metrics/job-outcomes.ts";
import { forgetRequestJob, rememberRequestJob, requestJobTtlSeconds } from "../request-jobs.ts";
import { submitJob, type JobTarget, type Submission } from "../submit-job.ts";

/** One kind of job's queue, backlog guard and waiter (on that queue's events). */
export interface JobLane extends JobTarget {
  waiter: Pick<JobWaiter, "wait">;
}

export interface SubmitAndWaitDeps {
  redis: Pick<Redis, "set" | "del">;
  /** The queues' key prefix; parked bytes and request ids live under the same one (same cluster slot). */
  prefix: string;
  syncTimeoutMs: number;
  /** Guards Redis's memory before any route parks bytes (one Redis, so one guard for every lane). */
  memory?: JobTarget["memory"];
  /** Counts each waited-for outcome (metrics); absent when metrics are off. */
  jobOutcomes?: JobOutcomes;
}

export async function submitAndWait<Answer>(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: SubmitAndWaitDeps,
  kind: JobKind<Answer>,
  lane: JobLane,
  submission: Submission,
): Promise<Answer> {
  const { jobId } = submission;
  void reply.header("x-job-id", jobId);
  // Lets GET /jobs/:request_id find the job by this attempt's request id. First, as a tiny write on the
  // connection with no offline queue: when Redis is down, this fails at once (503) instead of waiting.
  const ttlSeconds = requestJobTtlSeconds(kind.jobOptions);
  await rememberRequestJob(deps.redis, deps.prefix, request.subject, request.id, jobId, ttlSeconds).catch(() => {
    throw new ServiceUnavailableError("The job queue is unavailable; try again shortly");
  });
  const submitted = await submitJob(deps.redis, kind, { ...lane, memory: deps.memory }, submission).catch(
    async (error: unknown) => {
      // Refused (503 back-pressure, 409 reused key): no job is this request's, so its id must not point at
      // one, and under overload refused retries must not each leave a 24 h key behind.
      await forgetRequestJob(deps.redis, deps.prefix, request.subject, request.id).catch(() => undefined);
      throw error;
    },
  );
  request.log.info({ jobId, submitted }, `${kind.queueName} job submitted`);
  const result = await lane.waiter.wait(jobId, deps.syncTimeoutMs);
  deps.jobOutcomes?.record(kind.queueName, result);
  if (result.status === "timeout") throw new GatewayTimeoutError(request.id, jobId, kind.stillRunning);
  if (result.status === "failed") request.log.warn({ jobId, failedReason: result.failedReason }, "job failed");
  return kind.answer(result, request.id);
}
