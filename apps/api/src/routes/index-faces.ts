/** POST /index_faces: authenticate, validate, park the image, enqueue, wait, answer. */
import type { FastifyInstance } from "fastify";
import { authenticate } from "../auth.ts";
import { GatewayTimeoutError, ServiceUnavailableError } from "../errors.ts";
import { jobIdFor, parseIdempotencyKey, requestDigest } from "../idempotency.ts";
import { decodeImage } from "../image-input.ts";
import { indexFacesBodySchema, parseIndexFacesBody } from "../index-faces-body.ts";
import type { JobWaiter } from "../job-waiter.ts";
import { answerForJob } from "../outcome-answer.ts";
import { rememberRequestJob } from "../request-jobs.ts";
import { submitIndexFaces, type SubmitDeps } from "../submit-index-faces.ts";
import type { VerifyToken } from "../token-verifier.ts";

export interface IndexFacesRouteDeps extends SubmitDeps {
  waiter: Pick<JobWaiter, "wait">;
  verifyToken: VerifyToken;
  maxImageBytes: number;
  syncTimeoutMs: number;
}

const errorBody = {
  type: "object",
  properties: { msg: { type: "string" }, code: { type: "string" } },
  additionalProperties: true,
} as const;

export function registerIndexFacesRoute(app: FastifyInstance, deps: IndexFacesRouteDeps): void {
  app.decorateRequest("subject", "");
  app.post(
    "/index_faces",
    {
      schema: {
        body: indexFacesBodySchema,
        response: {
          200: {
            type: "object",
            properties: {
              success: { type: "boolean" },
              message: { type: "string" },
              data: { type: "object", additionalProperties: true },
            },
          },
          400: errorBody,
          401: {
            type: "object",
            properties: { detail: { type: "object", additionalProperties: true }, message: { type: "string" } },
          },
          "4xx": errorBody,
          "5xx": errorBody,
        },
      },
      // Before the body is parsed, so an anonymous caller cannot make us parse megabytes.
      onRequest: async (request) => {
        request.subject = (await authenticate(request.headers.authorization, deps.verifyToken)).subject;
      },
    },
    async (request, reply) => {
      const body = parseIndexFacesBody(request.body);
      const image = decodeImage(body.image, deps.maxImageBytes);
      const idempotencyKey = parseIdempotencyKey(request.headers["idempotency-key"]);
      const fields = {
        subject: request.subject,
        contentType: image.contentType,
        bucket: body.bucket,
        objectKey: body.imageKey,
        externalImageId: body.externalImageId,
        maxFaces: body.maxFaces,
        qualityFilter: body.qualityFilter,
        ...(body.dedupe ? { dedupe: body.dedupe.mode, dedupeThreshold: body.dedupe.threshold } : {}),
      };
      const digest = requestDigest(fields, image.bytes);
      const jobId = jobIdFor(request.subject, idempotencyKey, digest);
      void reply.header("x-job-id", jobId);
      // Lets GET /jobs/:request_id find the job by this attempt's request id. First, as a tiny write on the
      // connection with no offline queue: when Redis is down, this fails at once (503) instead of waiting.
      await rememberRequestJob(deps.redis, deps.prefix, request.subject, request.id, jobId).catch(() => {
        throw new ServiceUnavailableError("The job queue is unavailable; try again shortly");
      });
      const submitted = await submitIndexFaces(deps, { jobId, requestDigest: digest, bytes: image.bytes, fields });
      request.log.info({ jobId, submitted }, "index-faces job submitted");
      const result = await deps.waiter.wait(jobId, deps.syncTimeoutMs);
      if (result.status === "timeout") throw new GatewayTimeoutError(request.id, jobId);
      if (result.status === "failed") request.log.warn({ jobId, failedReason: result.failedReason }, "job failed");
      return answerForJob(result, request.id);
    },
  );
}

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated caller (the token's `sub`); set by the route's onRequest hook. */
    subject: string;
  }
}
