/**
 * A zero-cost stand-in for S3 and Rekognition on one port, so a benchmark measures the pipeline and not its
 * dependencies: an S3 PUT is answered 200 with an ETag as soon as its body has arrived (nothing is stored), and
 * Rekognition's AWS JSON 1.1 calls the worker makes (CreateCollection, DescribeCollection, IndexFaces) get a
 * canned answer at once. Plain node:http rather than Fastify: the fewer cycles it spends, the more the machine
 * leaves to the processes under test. GET /_stats counts the calls, so a row knows how many requests were served.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface StandInStats {
  putObject: number;
  indexFaces: number;
  /** Every other call by name ("CreateCollection", "HEAD /bucket/...", ...), to notice a path the stand-in misses. */
  other: Record<string, number>;
}

const AWS_JSON = "application/x-amz-json-1.1";
const TARGET_PREFIX = "RekognitionService.";
const FACE_MODEL_VERSION = "7.0";
// A face filling the middle of the picture: what a selfie gives, and what the API answers with.
const BOX = { Width: 0.42, Height: 0.55, Left: 0.29, Top: 0.18 };

export function createStandInServer(): { server: Server; stats: StandInStats } {
  const stats: StandInStats = { putObject: 0, indexFaces: 0, other: {} };
  const count = (name: string) => (stats.other[name] = (stats.other[name] ?? 0) + 1);
  let etags = 0;
  const server = createServer((request, response) => {
    if (request.method === "PUT") {
      // S3 answers once it has the whole body; the ETag is unique, not an MD5 (no client checks it for a PUT).
      request.resume();
      request.on("end", () => {
        stats.putObject++;
        const etag = `"${(++etags).toString(16).padStart(32, "0")}"`;
        response.writeHead(200, { etag, "content-length": "0" }).end();
      });
      return;
    }
    if (request.method === "GET" && request.url === "/_stats") return sendJson(response, 200, stats);
    const target = request.headers["x-amz-target"];
    if (request.method !== "POST" || typeof target !== "string" || !target.startsWith(TARGET_PREFIX)) {
      // By method and bucket, not by key: one line per kind of call, however many objects a row touches.
      count(`${request.method} /${(request.url ?? "/").split("/")[1] ?? ""}/...`);
      request.resume();
      return sendJson(response, 404, { message: "the stand-in serves S3 PUT and Rekognition calls only" });
    }
    const operation = target.slice(TARGET_PREFIX.length);
    void readJson(request).then((input) => {
      if (operation === "IndexFaces") {
        stats.indexFaces++;
        return sendJson(response, 200, indexFacesAnswer(String(input.ExternalImageId ?? "")), AWS_JSON);
      }
      count(operation);
      const collectionArn = `aws:rekognition:us-east-1:000000000000:collection/${String(input.CollectionId)}`;
      if (operation === "CreateCollection") {
        return sendJson(
          response,
          200,
          { StatusCode: 200, CollectionArn: collectionArn, FaceModelVersion: "7.0" },
          AWS_JSON,
        );
      }
      if (operation === "DescribeCollection") {
        const answer = { FaceCount: 0, FaceModelVersion: FACE_MODEL_VERSION, CollectionARN: collectionArn };
        return sendJson(response, 200, { ...answer, CreationTimestamp: 0 }, AWS_JSON);
      }
      const error = { __type: "UnknownOperationException", Message: `The stand-in does not serve ${operation}` };
      response.setHeader("x-amzn-ErrorType", error.__type);
      return sendJson(response, 400, error, AWS_JSON);
    });
  });
  // Clients keep connections for many requests; never let an idle timeout close one under a row.
  server.keepAliveTimeout = 60_000;
  return { server, stats };
}

function indexFacesAnswer(externalImageId: string) {
  const face = { FaceId: randomUUID(), BoundingBox: BOX, ImageId: randomUUID(), ExternalImageId: externalImageId };
  return {
    FaceRecords: [{ Face: { ...face, Confidence: 99.9 }, FaceDetail: { BoundingBox: BOX, Confidence: 99.9 } }],
    FaceModelVersion: FACE_MODEL_VERSION,
    UnindexedFaces: [],
  };
}

/** The request's JSON object; {} for anything else (a canned answer does not depend on it). */
async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown, contentType = "application/json"): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text) }).end(text);
}
