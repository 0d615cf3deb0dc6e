/** SDK clients pointed at the local S3 and the local Rekognition server, with the settings they need. */
import { RekognitionClient } from "@aws-sdk/client-rekognition";
import { S3Client } from "@aws-sdk/client-s3";
import { LOCAL_S3_CREDENTIALS } from "@faceindex/local-s3";

/** The local S3 (s3rver): its only credentials, path-style buckets, no aws-chunked framing it would store. */
export function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: "us-east-1",
    credentials: LOCAL_S3_CREDENTIALS,
    forcePathStyle: true,
    // s3rver keeps the default aws-chunked checksum framing as part of the object.
    requestChecksumCalculation: "WHEN_REQUIRED",
  });
}

/**
 * The local Rekognition server (it checks no signatures, so any credentials do). One attempt per call: a test
 * sees each answer, and each injected fault fails exactly one call (so worker tests can assert attemptsMade).
 */
export function localRekognitionClient(endpoint: string): RekognitionClient {
  return new RekognitionClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
}
