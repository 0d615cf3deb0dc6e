/**
 * `pnpm start` for rekognition-local: reads the environment, builds the face engine and the S3 client,
 * starts the server and closes everything on SIGTERM/SIGINT. The only file that reads process.env.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { createFaceEngine } from "@faceindex/face-engine";
import { pino } from "pino";
import { startRekognitionServer } from "./server.ts";
import { parseConfig } from "./config.ts";

const config = parseConfig(process.env);
const logger = pino({
  level: config.LOG_LEVEL,
  // Request signatures and image bytes must never reach the log, even if a header or body is logged by mistake.
  redact: {
    paths: ["req.headers.authorization", "headers.authorization", "authorization", "body", "*.Bytes", "Bytes"],
    censor: "[redacted]",
  },
});

if (config.FACE_ENGINE === "load-test") {
  logger.warn(
    "FACE_ENGINE=load-test: NO FACE DETECTION RUNS. Every image gets one FAKE face derived from its bytes; " +
      "use this only for load tests, never for real identities.",
  );
}
const engine = await createFaceEngine({
  mode: config.FACE_ENGINE,
  ...(config.FACE_ENGINE_THREADS ? { threads: config.FACE_ENGINE_THREADS } : {}),
  ...(config.LOAD_TEST_LATENCY_MS !== undefined ? { loadTestLatencyMs: config.LOAD_TEST_LATENCY_MS } : {}),
  // Load-test mode's own warning stays loud; the neural engine's start-up notes are informational.
  log: (message) => (config.FACE_ENGINE === "load-test" ? logger.warn(message) : logger.info(message)),
});

// Credentials come from the standard AWS chain (AWS_ACCESS_KEY_ID etc.; S3RVER/S3RVER for the local S3).
const s3 = new S3Client({
  region: config.AWS_REGION,
  ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
  forcePathStyle: config.S3_FORCE_PATH_STYLE,
  // Local S3 servers store the default aws-chunked checksum framing as part of the object.
  requestChecksumCalculation: "WHEN_REQUIRED",
});

const server = await startRekognitionServer({
  engine,
  dataDir: config.REKOGNITION_DATA_DIR,
  s3,
  host: config.REKOGNITION_HOST,
  port: config.REKOGNITION_PORT,
  region: config.AWS_REGION,
  faceModel: config.FACE_MODEL_VERSION,
  ...(config.REKOGNITION_TPS_LIMIT ? { tpsLimit: config.REKOGNITION_TPS_LIMIT } : {}),
  faults: config.REKOGNITION_FAULTS,
  logger,
});
logger.info(
  {
    url: server.url,
    engine: engine.mode,
    newCollectionsFaceModel: config.FACE_MODEL_VERSION.version,
    dataDir: config.REKOGNITION_DATA_DIR,
    tpsLimit: config.REKOGNITION_TPS_LIMIT ?? null,
    faults: config.REKOGNITION_FAULTS ? "on" : "off",
  },
  `rekognition-local listening on ${server.url}`,
);

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  logger.info({ signal }, "shutting down");
  try {
    // Server first: in-flight calls finish and the journals are folded into snapshots.
    await server.close();
    await engine.close();
    s3.destroy();
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, "shutdown failed");
    process.exit(1);
  }
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
