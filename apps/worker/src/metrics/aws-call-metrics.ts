/**
 * Counts every S3 and Rekognition call by operation and outcome, as an SDK middleware on the client: the
 * adapters stay unaware of metrics, and retries inside the SDK count once (the call as the job saw it).
 */
import type { WorkerMetrics } from "./worker-metrics.ts";

/** The part of an AWS SDK v3 middleware stack used here (each client types it for its own commands). */
interface MiddlewareStack {
  add(
    middleware: (
      next: (args: unknown) => Promise<unknown>,
      context: { commandName?: string },
    ) => (args: unknown) => Promise<unknown>,
    options: { step: "initialize"; name: string },
  ): void;
}

const THROTTLES = new Set([
  "ThrottlingException",
  "ProvisionedThroughputExceededException",
  "SlowDown",
  "TooManyRequestsException",
]);

/** A bounded class of an SDK error: its HTTP status class, a throttle, or no answer at all. */
export function callOutcome(error: unknown): string {
  const { name, $metadata } = (error ?? {}) as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = $metadata?.httpStatusCode;
  if ((name && THROTTLES.has(name)) || status === 429) return "throttled";
  if (status === undefined) return "network";
  return status >= 500 ? "server_error" : "client_error";
}

export function instrumentAwsClient(
  client: { middlewareStack: object },
  service: "s3" | "rekognition",
  metrics: Pick<WorkerMetrics, "awsCalls">,
): void {
  // Added untyped: this middleware reads only the command's name, the same for every client.
  (client.middlewareStack as MiddlewareStack).add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? "unknown").replace(/Command$/, "");
      try {
        const result = await next(args);
        metrics.awsCalls.inc({ service, operation, outcome: "ok" });
        return result;
      } catch (error) {
        metrics.awsCalls.inc({ service, operation, outcome: callOutcome(error) });
        throw error;
      }
    },
    { step: "initialize", name: "faceindexCallMetrics" },
  );
}
