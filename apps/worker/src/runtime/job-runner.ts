/**
 * The retry policy of every job processor (index, delete, search): business results
 * and permanent errors are RETURNED as the outcome; transient errors are THROWN so BullMQ retries them
 * with backoff, except on the last attempt, where the failure is returned so the API always gets a value.
 * Before either, the worker's gates (throttle gate, lock wait: queue-worker.ts) may put the job back
 * without spending an attempt.
 */
import type { Job } from "bullmq";
import type { Logger } from "pino";
import {
  failedOutcome,
  JOBS,
  type FailedOutcome,
  type JobKind,
  type JobOutcome,
  type JobPayload,
  traceLogFields,
} from "@faceindex/contracts";
import { classifyError, rawErrorText } from "./classify-error.ts";

/** The parts of a BullMQ job a processor reads. */
export type ProcessedJob = Pick<Job, "id" | "data" | "attemptsMade" | "opts"> & Partial<Pick<Job, "attemptsStarted">>;

export interface RunContext {
  /** The BullMQ job id (the audit trail names it). */
  jobId: string;
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

/** What the queue's worker lends one run (queue-worker.ts). */
export interface RunHooks {
  /**
   * Puts the job back without spending an attempt when a gate applies to the error (a throttle, a busy
   * lock, while its window lasts) and returns the BullMQ error to throw for it; undefined otherwise.
   */
  putBack(error: unknown): Promise<Error | undefined>;
}

export type JobRunner<Outcome> = ((job: ProcessedJob, hooks: RunHooks) => Promise<Outcome | FailedOutcome>) & {
  /**
   * Frees what the job parked. The worker calls it once BullMQ has stored the job's final outcome
   * (never before a retry, never inside the run); errors are logged, never thrown.
   */
  cleanup?(job: Pick<ProcessedJob, "id" | "data">): Promise<void>;
};

export interface JobRunnerOptions<Kind extends JobKind> {
  /** The catalog's kind: its payload schema parses the job's data, its queue name labels the logs. */
  kind: Kind;
  logger: Pick<Logger, "child">;
  /** The first stage, entered before run is called. */
  firstStage: string;
  run(payload: JobPayload<Kind>, context: RunContext): Promise<JobOutcome<Kind>>;
  /** Called once the job's final outcome is stored (never before a retry), with the raw job data; errors are logged. */
  cleanup?(data: unknown): Promise<void>;
}

export function createJobRunner<Kind extends JobKind>(options: JobRunnerOptions<Kind>): JobRunner<JobOutcome<Kind>> {
  const { queueName: name, payload: schema } = JOBS[options.kind];
  const runJob = async (job: ProcessedJob, hooks: RunHooks): Promise<JobOutcome<Kind> | FailedOutcome> => {
    const started = performance.now();
    const attempt = job.attemptsMade + 1;
    const maxAttempts = job.opts.attempts ?? 1;
    // reqId (and traceparent): the submitting request's, so one search finds its API and worker lines.
    const log = options.logger.child({ jobId: job.id, ...traceLogFields(job.data), attempt, maxAttempts });
    const elapsed = () => Math.round(performance.now() - started);

    const parsed = schema.safeParse(job.data);
    let outcome: JobOutcome<Kind> | FailedOutcome;
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => issue.path.join(".")).join(", ");
      outcome = failedOutcome("INVALID_JOB", `The job's payload is invalid (${fields})`, false);
    } else {
      let stage = options.firstStage;
      try {
        const ranBefore = attempt > 1 || (job.attemptsStarted ?? 0) > 1;
        const context = { jobId: String(job.id), attempt, ranBefore, log, enter: (next: string) => (stage = next) };
        outcome = await options.run(parsed.data, context);
      } catch (error) {
        const classified = classifyError(error);
        // The raw text (masked) is for this log only: the outcome, and so the caller, gets the stable message.
        const details = {
          code: classified.code,
          kind: classified.kind,
          stage,
          durationMs: elapsed(),
          error: rawErrorText(error),
        };
        // The gates go first, on the last attempt too: while a gate's window lasts, a throttle or a busy
        // lock must not end the job just because other errors used up its attempts.
        const putBack = await tryPutBack(hooks, error, log);
        if (putBack) {
          log.info(details, `${name} put back without spending an attempt`);
          throw putBack;
        }
        if (classified.kind === "transient" && attempt < maxAttempts) {
          log.warn(details, `${name} attempt failed, will retry`);
          throw error;
        }
        const message = `Failed ${stage}: ${classified.message}`;
        const transient = classified.kind === "transient";
        outcome = failedOutcome(
          classified.code,
          transient ? `${message}; gave up after ${attempt} attempts, try again later` : message,
          transient,
        );
      }
    }

    // No cleanup here: the parked bytes are freed only after BullMQ has stored this outcome (runJob.cleanup,
    // called by the worker), or a crash in between would re-run the job without its image.
    const code = outcome.status === "failed" ? (outcome as FailedOutcome).code : undefined;
    log.info({ status: outcome.status, code, durationMs: elapsed() }, `${name} job finished`);
    return outcome;
  };
  const { cleanup } = options;
  if (!cleanup) return runJob;
  return Object.assign(runJob, {
    async cleanup(job: Pick<ProcessedJob, "id" | "data">) {
      try {
        await cleanup(job.data);
      } catch (error) {
        options.logger
          .child({ jobId: job.id, ...traceLogFields(job.data) })
          .warn({ code: classifyError(error).code }, `${name} cleanup failed`);
      }
    },
  });
}

/** A gate that fails to put the job back (e.g. Redis blipped) leaves the error to the ordinary retry policy. */
async function tryPutBack(hooks: RunHooks, error: unknown, log: RunContext["log"]): Promise<Error | undefined> {
  try {
    return await hooks.putBack(error);
  } catch (gateError) {
    log.warn({ code: classifyError(gateError).code }, "could not put the job back; retrying it normally");
    return undefined;
  }
}
