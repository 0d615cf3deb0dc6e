/**
 * The local S3 as its own process (`pnpm start` runs and supervises it), so nothing a request does to it can
 * take the rest of the stack down. Settings come from the environment the stack passes.
 */
import { LOCAL_S3_CREDENTIALS, startLocalS3 } from "./local-s3.ts";

const env = process.env;
const s3 = await startLocalS3({
  // Where objects are kept (under the stack's DATA_DIR).
  directory: env.LOCAL_S3_DIR ?? ".data/s3",
  // s3rver's customary port.
  port: Number(env.LOCAL_S3_PORT ?? 4568),
  // Buckets created at start, comma-separated.
  buckets: (env.LOCAL_S3_BUCKETS ?? "").split(",").filter(Boolean),
  // The one key pair accepted; the S3RVER default when unset.
  credentials: {
    accessKeyId: env.LOCAL_S3_ACCESS_KEY_ID || LOCAL_S3_CREDENTIALS.accessKeyId,
    secretAccessKey: env.LOCAL_S3_SECRET_ACCESS_KEY || LOCAL_S3_CREDENTIALS.secretAccessKey,
  },
});
console.error(`local-s3: listening on ${s3.endpoint}`);
const stop = () => void s3.close().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
