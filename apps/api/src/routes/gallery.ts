/**
 * The gallery around index_faces, on the same API -> queue -> worker path:
 * POST /delete_faces_from_collection (erasure) and POST /search_faces (duplicate check by photo).
 * Same auth, validation style and synchronous answer through a job waiter as POST /index_faces.
 */
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import { SEARCH_IMAGE_MAX_BYTES } from "@faceindex/contracts";
import { authenticate } from "../auth.ts";
import { deleteFacesBodySchema, parseDeleteFacesBody } from "../delete-faces-body.ts";
import { enqueueDeleteFaces, enqueueSearchFaces, type GalleryQueue } from "../enqueue-gallery-job.ts";
import { answerForDelete, answerForSearch } from "../gallery-answers.ts";
import { decodeImage } from "../image-input.ts";
import type { JobWaiter } from "../job-waiter.ts";
import { parseSearchFacesBody, searchFacesBodySchema } from "../search-faces-body.ts";
import type { VerifyToken } from "../token-verifier.ts";

/** One queue and one waiter (on that queue's events) per job kind. */
export interface GalleryQueues {
  deleteQueue: GalleryQueue;
  deleteWaiter: Pick<JobWaiter, "wait">;
  searchQueue: GalleryQueue;
  searchWaiter: Pick<JobWaiter, "wait">;
}

export interface GalleryRouteDeps {
  redis: Pick<Redis, "set" | "del">;
  prefix: string;
  verifyToken: VerifyToken;
  maxImageBytes: number;
  syncTimeoutMs: number;
  gallery: GalleryQueues;
}

const errorBody = {
  type: "object",
  properties: { msg: { type: "string" }, code: { type: "string" } },
  additionalProperties: true,
} as const;

function responses(payload: "response" | "data") {
  return {
    200: {
      type: "object",
      properties: { success: { type: "boolean" }, [payload]: { type: "object", additionalProperties: true } },
    },
    401: {
      type: "object",
      properties: { detail: { type: "object", additionalProperties: true }, message: { type: "string" } },
    },
    "4xx": errorBody,
    "5xx": errorBody,
  };
}

/** Registered after the index_faces route, which declares `request.subject`. */
export function registerGalleryRoutes(app: FastifyInstance, deps: GalleryRouteDeps): void {
  // Before the body is parsed, so an anonymous caller cannot make us parse megabytes.
  const onRequest = async (request: { headers: { authorization?: string }; subject: string }) => {
    request.subject = (await authenticate(request.headers.authorization, deps.verifyToken)).subject;
  };

  app.post(
    "/delete_faces_from_collection",
    { schema: { body: deleteFacesBodySchema, response: responses("response") }, onRequest },
    async (request) => {
      const body = parseDeleteFacesBody(request.body);
      await enqueueDeleteFaces(deps.gallery.deleteQueue, request.id, {
        subject: request.subject,
        bucket: body.bucket,
        externalImageId: body.externalImageId,
        deleteImage: body.deleteImage,
      });
      const result = await deps.gallery.deleteWaiter.wait(request.id, deps.syncTimeoutMs);
      if (result.status === "failed") request.log.warn({ failedReason: result.failedReason }, "job failed");
      return answerForDelete(result, request.id);
    },
  );

  app.post(
    "/search_faces",
    { schema: { body: searchFacesBodySchema, response: responses("data") }, onRequest },
    async (request) => {
      const body = parseSearchFacesBody(request.body);
      // SearchFacesByImage takes the probe as bytes, whose limit (5 MB) is below the S3 one.
      const image = decodeImage(body.image, Math.min(deps.maxImageBytes, SEARCH_IMAGE_MAX_BYTES));
      await enqueueSearchFaces({ redis: deps.redis, queue: deps.gallery.searchQueue, prefix: deps.prefix }, request.id, image.bytes, {
        subject: request.subject,
        contentType: image.contentType,
        threshold: body.threshold,
        maxMatches: body.maxMatches,
      });
      const result = await deps.gallery.searchWaiter.wait(request.id, deps.syncTimeoutMs);
      if (result.status === "failed") request.log.warn({ failedReason: result.failedReason }, "job failed");
      return answerForSearch(result, request.id);
    },
  );
}
