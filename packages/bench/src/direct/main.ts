/**
 * The direct baseline as its own process: reads its environment, builds the SDK clients with the worker's
 * settings (so both paths talk to S3 and Rekognition alike) and listens on 127.0.0.1.
 */
import { RekognitionClient } from "@aws-sdk/client-rekognition";
import { S3Client } from "@aws-sdk/client-s3";
import { buildDirectApp } from "./direct-app.ts";

const env = process.env;
// Both endpoints point at the stand-in; the bench passes every variable.
const s3Endpoint = required("S3_ENDPOINT");
const region = env.AWS_REGION ?? "us-east-1";
// The worker's client settings: two attempts (BullMQ retries on top there), plain path-style uploads locally.
const s3 = new S3Client({
  region,
  endpoint: s3Endpoint,
  forcePathStyle: true,
  requestChecksumCalculation: "WHEN_REQUIRED",
  maxAttempts: 2,
});
const rekognition = new RekognitionClient({ region, endpoint: required("REKOGNITION_ENDPOINT"), maxAttempts: 2 });
const app = buildDirectApp({
  jwtSecret: required("JWT_SECRET"),
  s3,
  rekognition,
  collectionId: required("COLLECTION_ID"),
});
await app.listen({ port: Number(required("PORT")), host: "127.0.0.1" });

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}

function required(name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}
