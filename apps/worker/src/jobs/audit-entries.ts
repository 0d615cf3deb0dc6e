/** The audit entries the jobs write at their outcome (names and ids only: never bytes, never tokens). */
import type { AuditAction, AuditEntry } from "@faceindex/audit";
import type { FaceMatch } from "@faceindex/contracts";

export interface AuditedJob {
  requestId: string;
  subject: string;
}

export interface AuditFacts {
  action: AuditAction;
  externalImageId: string | null;
  faceIds?: string[];
  objectKeys?: string[];
  /** The look-alikes a search or duplicate check found: the entry is filed under their ids too. */
  matches?: FaceMatch[];
  outcome: { status: string; code?: string | undefined };
}

export function auditEntry(job: AuditedJob, jobId: string, facts: AuditFacts): AuditEntry {
  const matched = [...new Set((facts.matches ?? []).map((match) => match.external_image_id))];
  return {
    time: new Date().toISOString(),
    action: facts.action,
    subject: job.subject,
    external_image_id: facts.externalImageId,
    face_ids: facts.faceIds ?? facts.matches?.map((match) => match.face_id) ?? [],
    object_keys: facts.objectKeys ?? [],
    ...(matched.length > 0 ? { matched_external_ids: matched } : {}),
    request_id: job.requestId,
    job_id: jobId,
    // Status and code only: an outcome's message and data stay out of the trail.
    outcome:
      facts.outcome.code === undefined
        ? { status: facts.outcome.status }
        : { status: facts.outcome.status, code: facts.outcome.code },
  };
}
