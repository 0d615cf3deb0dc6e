/** Shared by this package's integration tests: local S3 + local Rekognition clients and job helpers. */
import { RekognitionClient } from "@aws-sdk/client-rekognition";
import { S3Client } from "@aws-sdk/client-s3";
import { setTimeout as sleep } from "node:timers/promises";
import type { Queue } from "bullmq";
import { LOCAL_S3_CREDENTIALS } from "@faceindex/local-s3";
import type { IndexFacesJob, IndexFacesOutcome } from "@faceindex/contracts";

export function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: "us-east-1",
    credentials: LOCAL_S3_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
  });
}

/**
 * One SDK attempt per call (production uses 2): each injected fault then fails exactly one BullMQ
 * attempt, so the tests can assert attemptsMade.
 */
export function localRekognitionClient(endpoint: string): RekognitionClient {
  return new RekognitionClient({ endpoint, region: "us-east-1", credentials: LOCAL_S3_CREDENTIALS, maxAttempts: 1 });
}

export interface Fault {
  operation: string;
  count: number;
  code: string;
  status: number;
}

export async function injectFault(rekognitionUrl: string, fault: Fault): Promise<void> {
  const response = await fetch(`${rekognitionUrl}/_local/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(fault),
  });
  if (!response.ok) throw new Error(`fault injection failed: ${response.status} ${await response.text()}`);
}

/** Drops faults a test left unused, so they cannot fail the next test's calls. */
export async function clearFaults(rekognitionUrl: string): Promise<void> {
  const response = await fetch(`${rekognitionUrl}/_local/faults`, { method: "DELETE" });
  if (!response.ok) throw new Error(`clearing faults failed: ${response.status}`);
}

export interface FinishedJob {
  outcome: IndexFacesOutcome | undefined;
  attemptsMade: number;
  failedReason: string | undefined;
}

/** Polls the job until it completed or failed for good (no QueueEvents: one less blocking connection). */
export async function waitForJob(
  queue: Queue<IndexFacesJob, IndexFacesOutcome>,
  jobId: string,
  timeoutMs = 45_000,
): Promise<FinishedJob> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const job = await queue.getJob(jobId);
    if (job?.finishedOn) {
      return { outcome: job.returnvalue ?? undefined, attemptsMade: job.attemptsMade, failedReason: job.failedReason || undefined };
    }
    await sleep(50);
  }
  throw new Error(`job ${jobId} did not finish within ${timeoutMs} ms`);
}
