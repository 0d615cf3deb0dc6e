/**
 * The direct baseline: one Fastify process doing inline what the queue path spreads over the API and a worker
 * (check the token, parse the JSON body, decode the base64 image, PUT it to S3, call IndexFaces) and answering
 * the same 200 shape. The queue path's cost is measured against this; it is a yardstick, not a product.
 */
import { IndexFacesCommand, type RekognitionClient } from "@aws-sdk/client-rekognition";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { sniffImageType } from "@faceindex/common";
import Fastify, { type FastifyInstance } from "fastify";
import { jwtVerify } from "jose";

export interface DirectAppDeps {
  /** The same HS256 secret the API verifies its dev tokens with. */
  jwtSecret: string;
  s3: Pick<S3Client, "send">;
  rekognition: Pick<RekognitionClient, "send">;
  collectionId: string;
}

interface Body {
  image: string;
  bucket: string;
  image_key: string;
  external_image_id: string;
}

// Room for a 15 MiB image as base64, as the API allows.
const BODY_LIMIT_BYTES = 22 * 1024 * 1024;

export function buildDirectApp(deps: DirectAppDeps): FastifyInstance {
  const key = new TextEncoder().encode(deps.jwtSecret);
  // The API's JSON settings: no coercion, first error only (its schema has no string lengths either).
  const app = Fastify({
    bodyLimit: BODY_LIMIT_BYTES,
    ajv: { customOptions: { coerceTypes: false, allErrors: false } },
  });
  app.post<{ Body: Body }>(
    "/index_faces",
    {
      schema: {
        body: {
          type: "object",
          required: ["image", "bucket", "image_key", "external_image_id"],
          properties: {
            image: { type: "string" },
            bucket: { type: "string" },
            image_key: { type: "string" },
            external_image_id: { type: "string" },
          },
        },
        response: {
          200: {
            type: "object",
            properties: {
              success: { type: "boolean" },
              message: { type: "string" },
              data: { type: "object", additionalProperties: true },
            },
          },
        },
      },
      // Before the body is read, as the API does: an anonymous caller costs no parse.
      onRequest: async (request, reply) => {
        const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
        try {
          if (!token) throw new Error("missing token");
          await jwtVerify(token, key, { algorithms: ["HS256"] });
        } catch {
          return reply.status(401).send({ detail: { reason: "invalid" }, message: "Unauthorized" });
        }
      },
    },
    async (request, reply) => {
      const body = request.body;
      const bytes = Buffer.from(body.image, "base64");
      const contentType = sniffImageType(bytes);
      if (!contentType) return reply.status(400).send({ msg: "image must be a JPEG or PNG", code: "INVALID_IMAGE" });
      const put = await deps.s3.send(
        new PutObjectCommand({
          Bucket: body.bucket,
          Key: body.image_key,
          Body: bytes,
          ContentType: contentType,
          // The worker's metadata too, so both PUTs carry the same headers.
          Metadata: { "external-image-id": body.external_image_id },
        }),
      );
      const indexed = await deps.rekognition.send(
        new IndexFacesCommand({
          CollectionId: deps.collectionId,
          Image: { S3Object: { Bucket: body.bucket, Name: body.image_key } },
          ExternalImageId: body.external_image_id,
          MaxFaces: 1,
          QualityFilter: "AUTO",
        }),
      );
      const faces = (indexed.FaceRecords ?? []).map((record) => ({
        face_id: record.Face?.FaceId ?? "",
        image_id: record.Face?.ImageId ?? "",
        external_image_id: record.Face?.ExternalImageId ?? "",
        confidence: record.Face?.Confidence ?? 0,
        bounding_box: toBox(record.Face?.BoundingBox),
      }));
      const [first] = faces;
      if (!first) return reply.status(400).send({ msg: "No face was indexed", code: "NO_FACE_INDEXED" });
      const s3 = { bucket: body.bucket, key: body.image_key, etag: (put.ETag ?? "").replace(/^"|"$/g, "") };
      const unindexed = (indexed.UnindexedFaces ?? []).map((face) => ({ reasons: face.Reasons ?? [] }));
      return {
        success: true,
        message: "Face indexed",
        data: {
          ...first,
          collection_id: deps.collectionId,
          face_model_version: indexed.FaceModelVersion ?? "",
          s3,
          indexed_faces: faces,
          unindexed_faces: unindexed,
        },
      };
    },
  );
  return app;
}

function toBox(box: { Width?: number; Height?: number; Left?: number; Top?: number } | undefined) {
  return { width: box?.Width ?? 0, height: box?.Height ?? 0, left: box?.Left ?? 0, top: box?.Top ?? 0 };
}
