/**
 * `POST /`: the AWS JSON 1.1 protocol. The operation comes from `X-Amz-Target: RekognitionService.<Op>`;
 * the body is validated against the service model before the handler runs. Signatures are not checked.
 * Errors answer `{"__type", "Message"}` with the same code in `x-amzn-ErrorType`.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { RekognitionError, serialization, throttled } from "./errors.ts";
import type { FaultRegistry } from "../local/faults.ts";
import type { OperationContext } from "../operations/context.ts";
import { operations } from "../operations/operation-table.ts";
import type { RateLimiter } from "../local/rate-limit.ts";
import type { ServiceModel } from "./service-model.ts";
import { validateInput } from "./validate-input.ts";

export const AWS_JSON = "application/x-amz-json-1.1";

export interface AwsJsonRouteDeps {
  model: ServiceModel;
  context: OperationContext;
  faults: Pick<FaultRegistry, "apply">;
  rateLimiter?: RateLimiter;
}

export function sendAwsError(reply: FastifyReply, error: RekognitionError): FastifyReply {
  return reply
    .status(error.status)
    .header("content-type", AWS_JSON)
    .header("x-amzn-ErrorType", error.code)
    .send(JSON.stringify({ __type: error.code, Message: error.message }));
}

function parseBody(body: unknown): Record<string, unknown> {
  if (typeof body !== "string" || body.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw serialization("The request body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw serialization("The request body must be a JSON object");
  return parsed as Record<string, unknown>;
}

export function registerAwsJsonRoute(app: FastifyInstance, deps: AwsJsonRouteDeps): void {
  const prefix = `${deps.model.metadata.targetPrefix}.`;
  app.post("/", async (request, reply) => {
    const target = request.headers["x-amz-target"];
    const name = typeof target === "string" && target.startsWith(prefix) ? target.slice(prefix.length) : undefined;
    const handler = name === undefined ? undefined : operations[name];
    const operation = name === undefined ? undefined : deps.model.operations[name];
    if (!handler || !operation || !name) {
      throw new RekognitionError("UnknownOperationException", `Unknown or unsupported operation: ${String(target)}`);
    }
    request.log = request.log.child({ operation: name });
    if (deps.rateLimiter && !deps.rateLimiter.tryAcquire(name)) throw throttled();
    await deps.faults.apply(name);
    const input = parseBody(request.body);
    validateInput(deps.model, operation, input);
    const output = await handler(input as never, deps.context);
    return reply.header("content-type", AWS_JSON).send(JSON.stringify(output));
  });
}
