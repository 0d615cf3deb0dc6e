/**
 * Raw SDK text never reaches a client (issue 10 finding 8): whatever message a failed job carries from
 * S3, Rekognition or the network, index_faces and GET /jobs/:id answer the API's stable words for its code.
 */
import { afterEach, describe, expect, inject, it } from "vitest";
import { failedOutcome, type FailedOutcome } from "@faceindex/contracts";
import { createHarness, getJob, postJson, validBody, type Harness } from "./support/harness.ts";

const redisUrl = inject("redisUrl");
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

// Failed outcomes as the worker builds them from real SDK errors (classify-error.ts keeps the SDK's message).
const RAW: [string, FailedOutcome, RegExp][] = [
  [
    "an XML parse error of the SDK",
    failedOutcome(
      "Error",
      "Failed storing the image: @aws-sdk XML parse error: char 'x' is not expected. Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.",
      true,
    ),
    /^A service the request depends on was unavailable; try again shortly \(Error\)$/,
  ],
  [
    "the local S3 refusing a 234-byte last segment",
    failedOutcome(
      "InvalidArgument",
      "Failed storing the image: Object key refused by the local S3: a segment is over 233 bytes.",
      false,
    ),
    /^The image store refused the request: it cannot hold this image_key$/,
  ],
  [
    "a network error naming a host",
    failedOutcome("ECONNREFUSED", "connect ECONNREFUSED 10.1.2.3:4599 (gave up after 5 attempts)", true),
    /^A service the request depends on was unavailable; try again shortly \(ECONNREFUSED\)$/,
  ],
  [
    "a code that is not an identifier",
    failedOutcome("<Error><Code>x</Code>", "<?xml version='1.0'?><Error>arn:aws:iam::123456789012</Error>", false),
    /^The request could not be processed \(PROCESSING_FAILED\)$/,
  ],
];

describe("failed jobs answer stable messages", () => {
  it.each(RAW)("%s", async (_name, outcome, expected) => {
    const h = (harness = await createHarness(redisUrl, { syncTimeoutMs: 5_000 }));
    await h.startWorker(async () => outcome);

    const answered = await postJson(h.app, "/index_faces", validBody());
    const fetched = await getJob(h.app, answered.headers["x-request-id"] as string);

    for (const response of [answered, fetched]) {
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      const body = response.json<{ msg: string; code: string }>();
      expect(body.msg).toMatch(expected);
      // None of the worker's words: no SDK hints, hosts, ARNs or the local S3's wording.
      for (const leak of ["$response", "@aws-sdk", "10.1.2.3", "arn:", "<", "local S3", "233"]) {
        expect(JSON.stringify(body)).not.toContain(leak);
      }
    }
  });
});
