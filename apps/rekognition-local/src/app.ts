/**
 * buildApp(deps): the Fastify app: the AWS JSON route, the /_local/ knobs, a request id on every response and
 * one error handler that turns anything thrown into an AWS-shaped error (details of 500s stay in the log).
 * It opens nothing and never listens: server.ts (or a test) passes the store, engine and S3 client in.
 */
import { randomUUID } from "node:crypto";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { pino, type Logger } from "pino";
import { registerAwsJsonRoute, sendAwsError, type AwsJsonRouteDeps } from "./protocol/aws-json-route.ts";
import { RekognitionError } from "./protocol/errors.ts";
import type { FaultRegistry } from "./local/faults.ts";
import { registerLocalRoutes } from "./local/local-routes.ts";

/** A 5 MB image is ~7 MB of base64; CompareFaces carries two, plus JSON overhead. */
const BODY_LIMIT_BYTES = 20 * 1024 * 1024;

export interface AppDeps extends Omit<AwsJsonRouteDeps, "faults"> {
  faults: FaultRegistry;
  /** POST /_local/faults exists only when true (REKOGNITION_FAULTS=on). */
  faultsEnabled: boolean;
  health: () => object;
  logger?: Logger;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    // Typed as Fastify's logger interface, which pino implements, so the app keeps Fastify's default generics.
    loggerInstance: (deps.logger ?? pino({ enabled: false })) as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: () => randomUUID(),
    // One line per call is logged below instead, without headers (signatures) or bodies (images).
    logController: new LogController({ disableRequestLogging: true }),
  });

  // Every body is read as text and parsed by the route, so malformed JSON gets AWS's SerializationException.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, body));

  app.addHook("onSend", async (request, reply) => {
    reply.header("x-amzn-RequestId", request.id);
  });
  app.addHook("onResponse", async (request, reply) => {
    const code = reply.getHeader("x-amzn-ErrorType");
    request.log.info(
      { statusCode: reply.statusCode, ...(code ? { code } : {}), ms: Math.round(reply.elapsedTime) },
      "request",
    );
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof RekognitionError) return sendAwsError(reply, error);
    const code = (error as { code?: string }).code;
    if (code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return sendAwsError(
        reply,
        new RekognitionError("ImageTooLargeException", `The request body exceeds ${BODY_LIMIT_BYTES} bytes`),
      );
    }
    if (typeof code === "string" && code.startsWith("FST_ERR_CTP")) {
      return sendAwsError(reply, new RekognitionError("SerializationException", (error as Error).message));
    }
    request.log.error({ err: error }, "internal error");
    return sendAwsError(reply, new RekognitionError("InternalServerError", "Internal server error", 500));
  });
  app.setNotFoundHandler((request, reply) =>
    sendAwsError(
      reply,
      new RekognitionError("UnknownOperationException", `No route for ${request.method} ${request.url}`),
    ),
  );

  registerAwsJsonRoute(app, deps);
  registerLocalRoutes(app, deps);
  return app;
}
