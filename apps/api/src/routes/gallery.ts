/**
 * The gallery around index_faces, on the same API -> queue -> worker path:
 * POST /delete_faces_from_collection (erasure, scope faces:delete) and POST /search_faces (duplicate check
 * by photo, scope faces:search), each within the caller's tenant: its collection, its buckets.
 * Same auth, validation style, back-pressure, Idempotency-Key, synchronous answer and 504 + GET /jobs
 * as POST /index_faces (jobs/submit-and-wait.ts).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import {
  JOBS,
  SEARCH_IMAGE_MAX_BYTES,
  searchImageRedisKey,
  type DeleteFacesJob,
  type SearchFacesJob,
} from "@faceindex/contracts";
import type { InFlightLimit } from "../admission/in-flight-limit.ts";
import { requireBucket } from "../auth/access-policy.ts";
import type { Authorize } from "../auth/request-auth.ts";
import { jobRouteResponses } from "../http/response-schemas.ts";
import { deleteFacesBodySchema, deleteFacesRequest, type DeleteFacesBody } from "../input/delete-faces-body.ts";
import { decodeImage } from "../input/image-input.ts";
import { searchFacesBodySchema, searchFacesRequest, type SearchFacesBody } from "../input/search-faces-body.ts";
import { freshJobId, imageSha256, jobIdFor, parseIdempotencyKey, requestDigest } from "../jobs/idempotency.ts";
import { ownerOf } from "../jobs/job-owner.ts";
import type { Lanes } from "../jobs/lanes.ts";
import { submitAndWait, type SubmitAndWaitDeps } from "../jobs/submit-and-wait.ts";

export interface GalleryRouteDeps extends SubmitAndWaitDeps {
  authorize: Authorize;
  maxImageBytes: number;
  lanes: Pick<Lanes, "delete" | "search">;
  /** Counts the search requests, which hold an image (deletes hold none). */
  inFlight: InFlightLimit;
}

const anyObject = { type: "object", additionalProperties: true } as const;

export function registerGalleryRoutes(app: FastifyInstance, deps: GalleryRouteDeps): void {
  app.post(
    "/delete_faces_from_collection",
    {
      schema: { body: deleteFacesBodySchema, response: jobRouteResponses({ response: anyObject }) },
      onRequest: deps.authorize("faces:delete"),
    },
    async (request, reply) => {
      // Each route's schema has checked the body's shape and applied its defaults.
      const body = deleteFacesRequest(request.body as DeleteFacesBody);
      // Another tenant's bucket is not this tenant's to erase from, even by an external id it shares.
      requireBucket(request.tenant, body.bucket);
      const fields = {
        ...tenancyOf(request),
        subject: request.subject,
        bucket: body.bucket,
        externalImageId: body.externalImageId,
        deleteImage: body.deleteImage,
      };
      const digest = requestDigest(fields);
      const jobId = jobIdOf(request, JOBS.delete.queueName, digest);
      const data: DeleteFacesJob = { ...fields, requestId: jobId, requestDigest: digest };
      return submitAndWait(request, reply, deps, deps.lanes.delete, { jobId, data });
    },
  );

  app.post(
    "/search_faces",
    {
      schema: { body: searchFacesBodySchema, response: jobRouteResponses({ data: anyObject }) },
      onRequest: [deps.inFlight.acquire, deps.authorize("faces:search"), deps.inFlight.acquireCaller],
    },
    deps.inFlight.holding(async (request, reply) => {
      const body = searchFacesRequest(request.body as SearchFacesBody);
      // SearchFacesByImage takes the probe as bytes, whose limit (5 MB) is below the S3 one.
      const image = decodeImage(body.image, Math.min(deps.maxImageBytes, SEARCH_IMAGE_MAX_BYTES));
      const fields = {
        ...tenancyOf(request),
        subject: request.subject,
        contentType: image.contentType,
        threshold: body.threshold,
        maxMatches: body.maxMatches,
      };
      const digest = requestDigest(fields, imageSha256(image.bytes));
      const jobId = jobIdOf(request, JOBS.search.queueName, digest);
      // The digest in the key: a reused Idempotency-Key with another probe parks beside, never over, the first.
      const imageKey = searchImageRedisKey(`${jobId}:${digest}`, deps.prefix);
      const data: SearchFacesJob = {
        ...fields,
        requestId: jobId,
        imageKey,
        requestDigest: digest,
      };
      return submitAndWait(request, reply, deps, deps.lanes.search, {
        jobId,
        data,
        parked: { key: imageKey, bytes: image.bytes },
      });
    }),
  );
}

/**
 * With an Idempotency-Key, a retry gets the first request's job (a retried erasure answers what the
 * first one did, not FACE_NOT_FOUND); without one, every delete or search is a new job (see freshJobId).
 */
function jobIdOf(request: FastifyRequest, queueName: string, digest: string): string {
  const idempotencyKey = parseIdempotencyKey(request.headers["idempotency-key"]);
  return idempotencyKey === undefined ? freshJobId() : jobIdFor(queueName, ownerOf(request), idempotencyKey, digest);
}

/** The payload's tenant and collection: from the token and the server's configuration, never from the body. */
function tenancyOf(request: FastifyRequest): { tenant: string; collectionId: string } {
  return { tenant: request.tenant.name, collectionId: request.tenant.collectionId };
}
