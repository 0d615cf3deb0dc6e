/** POST /index_faces: authenticate, validate, park the image, enqueue, wait, answer. */
import type { FastifyInstance } from "fastify";
import { INDEX_FACES_QUEUE, imageRedisKey, type IndexFacesJob } from "@faceindex/contracts";
import type { Redis } from "ioredis";
import { authenticateRequest } from "../auth.ts";
import { duplicatesErased, indexedFaceErased } from "../erased-face.ts";
import { jobIdFor, parseIdempotencyKey, requestDigest } from "../idempotency.ts";
import { decodeImage } from "../image-input.ts";
import type { InFlightLimit } from "../in-flight-limit.ts";
import { indexFacesBodySchema, parseIndexFacesBody } from "../index-faces-body.ts";
import { INDEX_FACES_JOB } from "../job-kinds.ts";
import type { VerifyToken } from "../token-verifier.ts";
import { jobRouteResponses } from "./schemas.ts";
import { submitAndWait, type JobLane, type SubmitAndWaitDeps } from "./submit-and-wait.ts";

export interface IndexFacesRouteDeps extends SubmitAndWaitDeps, JobLane {
  redis: SubmitAndWaitDeps["redis"] & Pick<Redis, "hexists" | "hmget">;
  /** The worker's collection: whose gallery mapping tells whether a stored duplicate outcome still holds. */
  collectionId: string;
  verifyToken: VerifyToken;
  maxImageBytes: number;
  /** Requests holding an image are counted from before their body is read until they are done. */
  inFlight: InFlightLimit;
}

export function registerIndexFacesRoute(app: FastifyInstance, deps: IndexFacesRouteDeps): void {
  app.decorateRequest("subject", "");
  app.post(
    "/index_faces",
    {
      schema: {
        body: indexFacesBodySchema,
        response: jobRouteResponses({
          message: { type: "string" },
          data: { type: "object", additionalProperties: true },
        }),
      },
      // The cap first: past it, not even the token is checked.
      onRequest: [deps.inFlight.acquire, authenticateRequest(deps.verifyToken)],
    },
    deps.inFlight.holding(async (request, reply) => {
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
      // Without a key, the same fields and bytes are the same request (see idempotency.ts).
      const jobId = jobIdFor(INDEX_FACES_QUEUE, request.subject, idempotencyKey, digest);
      // The digest in the key: a reused Idempotency-Key with another image parks beside, never over, the first.
      const imageKey = imageRedisKey(`${jobId}:${digest}`, deps.prefix);
      const data: IndexFacesJob = { ...fields, requestId: jobId, imageKey, requestDigest: digest };
      return submitAndWait(request, reply, deps, INDEX_FACES_JOB, deps, {
        jobId,
        data,
        parked: { key: imageKey, bytes: image.bytes },
        // A keyed retry gets the first answer; a keyless match is only the same request while the faces its
        // outcome names exist: its own indexed face, or the other people's faces that refused it as a duplicate.
        ...(idempotencyKey === undefined
          ? {
              outdated: async (job) =>
                (await indexedFaceErased(deps.redis, deps.prefix, job)) ||
                (await duplicatesErased(deps.redis, deps.prefix, deps.collectionId, job)),
            }
          : {}),
      });
    }),
  );
}

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated caller (the token's `sub`); set by the route's onRequest hook. */
    subject: string;
  }
}
