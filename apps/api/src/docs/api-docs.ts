/**
 * The API's description: an OpenAPI 3.1 document built by @fastify/swagger from the route schemas,
 * completed from operations.ts (summaries, scopes, examples, every status), served at GET /openapi.json,
 * and a docs page at /docs (@fastify/swagger-ui, whose assets this process serves itself: no CDN).
 * Both are public, like the README they replace; they describe the API, never a caller's data.
 */
import swagger from "@fastify/swagger";
import swaggerUi, { type FastifySwaggerUiOptions } from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { errorBody, unauthorizedBody } from "../http/response-schemas.ts";
import { OPERATIONS, SCOPES, type OperationDoc } from "./operations.ts";

const SECURITY_SCHEME = "bearer";
// The API's contract version: bumped on a breaking change to a route (none so far).
const API_VERSION = "1.0.0";

/**
 * Must run before the first route is declared. @fastify/swagger collects routes with an onRoute hook,
 * and buildApp declares its routes synchronously, before `register`ed plugins load; so the plugin
 * function is applied to the app here directly (it is synchronous and skips encapsulation anyway).
 */
export function registerApiDocs(app: FastifyInstance): void {
  const plugin = swagger as unknown as (
    instance: FastifyInstance,
    options: Parameters<typeof swagger>[1],
    done: (error?: Error) => void,
  ) => void;
  plugin(
    app,
    {
      openapi: {
        openapi: "3.1.0",
        info: {
          title: "faceindex",
          version: API_VERSION,
          description:
            "Face enrolment, search and erasure over S3 and Rekognition. Every refusal is `{msg, code}`; every " +
            "answer carries `x-request-id` (and `x-job-id` once a job exists). Send an `Idempotency-Key` to make retries safe.",
        },
        components: {
          securitySchemes: {
            [SECURITY_SCHEME]: {
              type: "http",
              scheme: "bearer",
              bearerFormat: "JWT",
              description: `A JWT whose \`scope\` claim lists what it may do: ${Object.entries(SCOPES)
                .map(([scope, what]) => `\`${scope}\` (${what})`)
                .join("; ")}`,
            },
          },
        },
      },
      transformObject: (documents) =>
        complete(("openapiObject" in documents ? documents.openapiObject : {}) as OpenApiDocument),
    },
    (error) => {
      if (error) throw error;
    },
  );
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  // Applied inside a plugin of its own rather than registered: registering it checks that @fastify/swagger
  // was registered, which the direct call above skips. Its static assets come from the package itself.
  const ui = swaggerUi as unknown as (instance: FastifyInstance, options: FastifySwaggerUiOptions) => Promise<void>;
  void app.register(async (scope) => ui(scope, { routePrefix: "/docs", uiConfig: { deepLinking: true } }));
}

interface Operation {
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  requestBody?: { content?: Record<string, { example?: unknown }> };
  responses?: Record<string, unknown>;
}

type OpenApiDocument = { paths?: Record<string, Record<string, Operation>> } & Record<string, unknown>;

/** Adds what operations.ts knows to each operation the route schemas described. */
function complete(document: OpenApiDocument): OpenApiDocument {
  for (const [path, methods] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(methods)) {
      const doc = OPERATIONS[`${method.toUpperCase()} ${path}`];
      if (doc) describeOperation(operation, doc);
    }
  }
  return document;
}

function describeOperation(operation: Operation, doc: OperationDoc): void {
  operation.summary = doc.summary;
  operation.tags = [doc.tag];
  // OpenAPI 3.1 lets a bearer requirement name the scopes (roles) it needs.
  operation.security = doc.scope ? [{ [SECURITY_SCHEME]: [doc.scope] }] : [];
  const json = operation.requestBody?.content?.["application/json"];
  if (json && doc.example) json.example = doc.example;
  // The schemas' 4XX/5XX ranges give way to each status the route really sends.
  const responses = Object.fromEntries(
    Object.entries(operation.responses ?? {}).filter(([status]) => !/^[45]XX$/i.test(status)),
  );
  for (const [status, description] of Object.entries(doc.errors)) {
    responses[status] = { description, content: { "application/json": { schema: bodyOf(status) } } };
  }
  operation.responses = responses;
}

function bodyOf(status: string): unknown {
  if (status === "401") return unauthorizedBody;
  if (status === "504") {
    return {
      ...errorBody,
      properties: { ...errorBody.properties, request_id: { type: "string" }, job_id: { type: "string" } },
    };
  }
  return errorBody;
}
