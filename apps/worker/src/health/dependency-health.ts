/**
 * The last outcome of the worker's calls to S3 and to Rekognition, with its time, for the worker's
 * /readyz: an operator sees at once which dependency fails and since when. Recorded by a middleware on
 * each SDK client (so every call counts, whichever job made it), classified like the job runner does:
 * only a failure worth a retry (unreachable, 5xx, throttled) marks the dependency as failing; an answer
 * refusing the request (no such bucket, bad image) shows the service is up.
 */
import { classifyError } from "../runtime/classify-error.ts";

export type Dependency = "s3" | "rekognition";

export interface DependencyOutcome {
  /** "ok": the service answered (success, or a refusal of this request); "failing": a transient failure. */
  status: "ok" | "failing";
  /** ISO time of the call's end. */
  at: string;
  /** The error's code (e.g. ECONNREFUSED, NoSuchBucket) when the call failed. */
  code?: string;
}

export interface DependencyHealth {
  record(dependency: Dependency, error?: unknown): void;
  /** Per dependency, its last outcome; absent until the first call. */
  snapshot(): Partial<Record<Dependency, DependencyOutcome>>;
}

export function createDependencyHealth(now: () => Date = () => new Date()): DependencyHealth {
  const last: Partial<Record<Dependency, DependencyOutcome>> = {};
  return {
    record(dependency, error) {
      const at = now().toISOString();
      if (error === undefined) {
        last[dependency] = { status: "ok", at };
        return;
      }
      const { kind, code } = classifyError(error);
      last[dependency] = { status: kind === "transient" ? "failing" : "ok", at, code };
    },
    snapshot: () => ({ ...last }),
  };
}

// `any`: each client types its own inputs and outputs (the SDK's types package is not ours to import), and the
// middleware only passes them through.
type Handler = (args: any) => Promise<any>;

/** An SDK client (S3Client, RekognitionClient), as far as this needs it: adding a step to its middleware stack. */
interface SdkClient {
  middlewareStack: { add(middleware: (next: Handler) => Handler, options: { step: "initialize"; name: string }): void };
}

/** Records the outcome of every call `client` makes (after the SDK's own retries) as `dependency`'s. */
export function trackDependency(client: SdkClient, dependency: Dependency, health: DependencyHealth): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        const result = await next(args);
        health.record(dependency);
        return result;
      } catch (error) {
        health.record(dependency, error);
        throw error;
      }
    },
    // "initialize" wraps the whole call, the SDK's retries included: one outcome per call.
    { step: "initialize", name: "faceindexDependencyHealth" },
  );
}
