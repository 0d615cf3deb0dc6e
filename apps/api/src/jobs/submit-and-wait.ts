/**
 * What every job-backed POST route does once the body is valid: name the job, remember which job this
 * request id is (for GET /jobs/:request_id), submit it (or attach to it), wait up to the sync timeout,
 * and answer with the kind's answer, or 504 with the job id when the job is still running.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Redis } from "ioredis";
import { JOBS, parseTraceparent } from "@faceindex/contracts";
import { GatewayTimeoutError, ServiceUnavailableError } from "../http/errors.ts";
import type { JobOutcomes } from "../metrics/job-outcomes.ts";
import { ownerOf } from "./job-owner.ts";
import { KIND_ANSWERS } from "./kinds.ts";
import type { Lane } from "./lanes.ts";
import { forgetRequestJob, rememberRequestJob, requestJobTtlSeconds } from "./request-jobs.ts";
import { submitJob, type SubmitJobDeps, type Submission } from "./submit-job.ts";

export interface SubmitAndWaitDeps extends SubmitJobDeps {
  redis: Pick<Redis, "set" | "del">;
  /** The queues' key prefix; parked bytes and request ids live under the same one (same cluster slot). */
  prefix: string;
  syncTimeoutMs: number;
  /** Counts each waited-for outcome (metrics); absent when metrics are off. */
  jobOutcomes?: JobOutcomes;
}

export async function submitAndWait(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: SubmitAndWaitDeps,
  lane: Lane,
  submission: Submission,
): Promise<unknown> {
  const { queueName, jobOptions } = JOBS[lane.kind];
  const { stillRunning, answer } = KIND_ANSWERS[lane.kind];
  const { jobId } = submission;
  void reply.header("x-job-id", jobId);
  // Lets GET /jobs/:request_id find the job by this attempt's request id. First, as a tiny write on the
  // connection with no offline queue: when Redis is down, this fails at once (503) instead of waiting.
  const ttlSeconds = requestJobTtlSeconds(jobOptions);
  await rememberRequestJob(deps.redis, deps.prefix, ownerOf(request), request.id, jobId, ttlSeconds).catch(() => {
    throw new ServiceUnavailableError("The job queue is unavailable; try again shortly");
  });
  // The worker logs every line of the job with this request's id (and the caller's traceparent, if valid).
  const traceparent = parseTraceparent(request.headers.traceparent);
  const trace = { requestId: request.id, ...(traceparent ? { traceparent } : {}) };
  const traced = { ...submission, data: { ...submission.data, trace } };
  const submitted = await submitJob(deps, lane, traced).catch(async (error: unknown) => {
    // Refused (503 back-pressure, 409 reused key): no job is this request's, so its id must not point at
    // one, and under overload refused retries must not each leave a 24 h key behind.
    await forgetRequestJob(deps.redis, deps.prefix, ownerOf(request), request.id).catch(() => undefined);
    throw error;
  });
  request.log.info({ jobId, submitted }, `${queueName} job submitted`);
  const result = await lane.waiter.wait(jobId, deps.syncTimeoutMs, { justAdded: submitted === "enqueued" });
  deps.jobOutcomes?.record(queueName, result);
  if (result.status === "timeout") throw new GatewayTimeoutError(request.id, jobId, stillRunning);
  if (result.status === "failed") request.log.warn({ jobId, failedReason: result.failedReason }, "job failed");
  return answer(result, request.id);
}
