/** POST /index_faces: authenticate, validate, park the image, enqueue, wait, answer. */
import type { FastifyInstance } from "fastify";
import { authenticate } from "../auth.ts";
import { enqueueIndexFaces, type EnqueueDeps } from "../enqueue-job.ts";
import { decodeImage } from "../image-input.ts";
import { indexFacesBodySchema, parseIndexFacesBody } from "../index-faces-body.ts";
import type { JobWaiter } from "../job-waiter.ts";
import { answerForJob } from "../outcome-answer.ts";
import type { VerifyToken } from "../token-verifier.ts";

export interface IndexFacesRouteDeps extends EnqueueDeps {
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
    async (request) => {
      const body = parseIndexFacesBody(request.body);
      const image = decodeImage(body.image, deps.maxImageBytes);
      await enqueueIndexFaces(deps, request.id, image.bytes, {
        subject: request.subject,
        contentType: image.contentType,
        bucket: body.bucket,
        objectKey: body.imageKey,
        externalImageId: body.externalImageId,
        maxFaces: body.maxFaces,
        qualityFilter: body.qualityFilter,
      });
      const result = await deps.waiter.wait(request.id, deps.syncTimeoutMs);
      if (result.status === "failed") request.log.warn({ failedReason: result.failedReason }, "job failed");
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
