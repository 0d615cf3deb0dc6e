/**
 * Paces every call an AWS SDK client sends through the shared per-operation bucket (adapters/redis/
 * rate-bucket.ts), and lowers the shared rate when a call is throttled. A middleware inside the SDK's
 * retry step, so each attempt (the SDK's own retries included) takes its token, as AWS counts them.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { RateBucket } from "../adapters/redis/rate-bucket.ts";
import { isThrottle } from "./throttle-gate.ts";

/** What this needs of an SDK v3 client: its middleware stack. */
export interface SdkClient {
  middlewareStack: {
    // `never`: each client types its middleware by its own input/output unions; this one handles any command.
    add(middleware: never, options: { step: "finalizeRequest"; name: string; priority: "low" }): void;
  };
}

type Handler = (args: unknown) => Promise<unknown>;
type PacingMiddleware = (next: Handler, context: { commandName?: string }) => Handler;

/** `service` names the bucket family ("rekognition", "s3"): operation names are only unique per service. */
export function paceClient(client: SdkClient, service: string, bucket: RateBucket): void {
  const middleware: PacingMiddleware = (next, context) => async (args) => {
    // "IndexFacesCommand" -> "IndexFaces": the operation's name, as REKOGNITION_TPS and AWS's quotas say it.
    const operation = `${service}:${(context.commandName ?? "unknown").replace(/Command$/, "")}`;
    const wait = await bucket.take(operation);
    if (wait > 0) await sleep(wait);
    try {
      return await next(args);
    } catch (error) {
      // A lost cut only delays the slow-down by one throttle; the call's own error is what matters.
      if (isThrottle(error)) await bucket.throttled(operation).catch(() => undefined);
      throw error;
    }
  };
  // "low" priority in finalizeRequest runs after (inside) the retry middleware's "high".
  client.middlewareStack.add(middleware as never, { step: "finalizeRequest", name: "sharedPacing", priority: "low" });
}
