/** POST /index_faces (scope faces:index): authenticate, validate, check the bucket, park the image, enqueue, wait, answer. */
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import { JOBS, imageRedisKey, type IndexFacesJob, type QualityGateMode } from "@faceindex/contracts";
import type { InFlightLimit } from "../admission/in-flight-limit.ts";
import { requireBucket } from "../auth/access-policy.ts";
import type { Authorize } from "../auth/request-auth.ts";
import { jobRouteResponses } from "../http/response-schemas.ts";
import { checkImageBytes, decodeImage } from "../input/image-input.ts";
import { multipartSchemaOf, numbersFromForm } from "../input/multipart-body.ts";
import { indexFacesBodySchema, indexFacesRequest, type IndexFacesBody } from "../input/index-faces-body.ts";
import { duplicatesErased, indexedFaceErased } from "../jobs/erased-face.ts";
import { imageSha256, jobIdFor, parseIdempotencyKey, requestDigest } from "../jobs/idempotency.ts";
import { ownerOf } from "../jobs/job-owner.ts";
import type { Lane } from "../jobs/lanes.ts";
import { submitAndWait, type SubmitAndWaitDeps } from "../jobs/submit-and-wait.ts";

export interface IndexFacesRouteDeps extends SubmitAndWaitDeps {
  redis: SubmitAndWaitDeps["redis"] & Pick<Redis, "hexists" | "hmget">;
  lane: Lane;
  authorize: Authorize;
  maxImageBytes: number;
  /** Requests holding an image are counted from before their body is read until they are done. */
  inFlight: InFlightLimit;
  /** QUALITY_GATE: the quality gate of a request whose body does not choose one. */
  defaultQualityGate: QualityGateMode;
}

export function registerIndexFacesRoute(app: FastifyInstance, deps: IndexFacesRouteDeps): void {
  app.post(
    "/index_faces",
    {
      schema: {
        body: {
          content: {
            "application/json": { schema: indexFacesBodySchema },
            "multipart/form-data": { schema: multipartSchemaOf(indexFacesBodySchema) },
          },
        },
        response: jobRouteResponses({
          message: { type: "string" },
          data: { type: "object", additionalProperties: true },
        }),
      },
      // The cap first: past it, not even the token is checked; the caller's share once the token names the caller.
      onRequest: [deps.inFlight.acquire, deps.authorize("faces:index"), deps.inFlight.acquireCaller],
      preValidation: numbersFromForm(["max_faces", "dedupe_threshold"]),
    },
    deps.inFlight.holding(async (request, reply) => {
      // The schema above has checked the body's shape and applied its defaults.
      const body = indexFacesRequest(request.body as IndexFacesBody, deps.defaultQualityGate);
      // Before the image is decoded, parked or queued: a foreign bucket costs nothing.
      requireBucket(request.tenant, body.bucket);
      const image =
        typeof body.image === "string"
          ? decodeImage(body.image, deps.maxImageBytes)
          : checkImageBytes(body.image, deps.maxImageBytes);
      const idempotencyKey = parseIdempotencyKey(request.headers["idempotency-key"]);
      const fields = {
        tenant: request.tenant.name,
        collectionId: request.tenant.collectionId,
        subject: request.subject,
        contentType: image.contentType,
        bucket: body.bucket,
        objectKey: body.imageKey,
        externalImageId: body.externalImageId,
        maxFaces: body.maxFaces,
        qualityFilter: body.qualityFilter,
        ...(body.dedupe ? { dedupe: body.dedupe.mode, dedupeThreshold: body.dedupe.threshold } : {}),
        // Only when on: the job (and the request digest of idempotency.ts) stays the seed's otherwise.
        ...(body.qualityGate === "enforce" ? { qualityGate: body.qualityGate } : {}),
      };
      const imageHash = imageSha256(image.bytes);
      const digest = requestDigest(fields, imageHash);
      // Without a key, the same fields and bytes are the same request (see idempotency.ts).
      const jobId = jobIdFor(JOBS.index.queueName, ownerOf(request), idempotencyKey, digest);
      // The digest in the key: a reused Idempotency-Key with another image parks beside, never over, the first.
      const imageKey = imageRedisKey(`${jobId}:${digest}`, deps.prefix);
      const data: IndexFacesJob = {
        ...fields,
        requestId: jobId,
        imageKey,
        requestDigest: digest,
        imageSha256: imageHash.toString("hex"),
      };
      return submitAndWait(request, reply, deps, deps.lane, {
        jobId,
        data,
        parked: { key: imageKey, bytes: image.bytes },
        // A keyed retry gets the first answer; a keyless match is only the same request while the faces its
        // outcome names exist: its own indexed face, or the other people's faces that refused it as a duplicate.
        ...(idempotencyKey === undefined
          ? {
              outdated: async (job) =>
                (await indexedFaceErased(deps.redis, deps.prefix, job)) ||
                (await duplicatesErased(deps.redis, deps.prefix, request.tenant.collectionId, job)),
            }
          : {}),
      });
    }),
  );
}
