/**
 * The retry policy of every job processor (index, delete, search): business results
 * and permanent errors are RETURNED as the outcome; transient errors are THROWN so BullMQ retries them
 * with backoff, except on the last attempt, where the failure is returned so the API always gets a value.
 */
import type { Job } from "bullmq";
import type { Logger } from "pino";
import type { z } from "zod";
import { classifyError } from "./classify-error.ts";

export interface FailedOutcome {
  status: "failed";
  code: string;
  message: string;
  retryable: boolean;
}

/** The parts of a BullMQ job a processor reads. */
export type ProcessedJob = Pick<Job, "id" | "data" | "attemptsMade" | "opts"> & Partial<Pick<Job, "attemptsStarted">>;

export interface RunContext {
  attempt: number;
  /**
   * An earlier run of this job may have done part of the work. Not `attempt > 1`: a run put back by the
   * throttle gate or re-run after its worker died spends no attempt; BullMQ counts every start instead.
   */
  ranBefore: boolean;
  log: Pick<Logger, "info" | "warn" | "error">;
  /** Names the step running now, so a failure says where it happened ("Failed deleting faces: ..."). */
  enter(stage: string): void;
}

export interface JobRunnerOptions<Payload, Outcome extends { status: string }> {
  /** The queue's name, for logs. */
  name: string;
  schema: z.ZodType<Payload>;
  logger: Pick<Logger, "child">;
  /** The first stage, entered before run is called. */
  firstStage: string;
  run(payload: Payload, context: RunContext): Promise<Outcome>;
  /** Called once the job has ended for good (never before a retry), with the raw job data; errors are logged. */
  cleanup?(data: unknown): Promise<void>;
}

export function createJobRunner<Payload, Outcome extends { status: string }>(options: JobRunnerOptions<Payload, Outcome>) {
  return async function runJob(job: ProcessedJob): Promise<Outcome | FailedOutcome> {
    const started = performance.now();
    const attempt = job.attemptsMade + 1;
    const maxAttempts = job.opts.attempts ?? 1;
    const log = options.logger.child({ jobId: job.id, attempt, maxAttempts });
    const elapsed = () => Math.round(performance.now() - started);

    const parsed = options.schema.safeParse(job.data);
    let outcome: Outcome | FailedOutcome;
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => issue.path.join(".")).join(", ");
      outcome = { status: "failed", code: "INVALID_JOB", retryable: false, message: `The job's payload is invalid (${fields})` };
    } else {
      let stage = options.firstStage;
      try {
        const ranBefore = attempt > 1 || (job.attemptsStarted ?? 0) > 1;
        outcome = await options.run(parsed.data, { attempt, ranBefore, log, enter: (next) => (stage = next) });
      } catch (error) {
        const classified = classifyError(error);
        const details = { code: classified.code, kind: classified.kind, stage, durationMs: elapsed() };
        if (classified.kind === "transient" && attempt < maxAttempts) {
          log.warn(details, `${options.name} attempt failed, will retry`);
          throw error;
        }
        const message = `Failed ${stage}: ${classified.message}`;
        outcome = {
          status: "failed",
          code: classified.code,
          retryable: classified.kind === "transient",
          message: classified.kind === "transient" ? `${message} (gave up after ${attempt} attempts)` : message,
        };
      }
    }

    if (options.cleanup) {
      try {
        await options.cleanup(job.data);
      } catch (error) {
        log.warn({ code: classifyError(error).code }, `${options.name} cleanup failed`);
      }
    }
    const code = outcome.status === "failed" ? (outcome as FailedOutcome).code : undefined;
    log.info({ status: outcome.status, code, durationMs: elapsed() }, `${options.name} job finished`);
    return outcome;
  };
}
