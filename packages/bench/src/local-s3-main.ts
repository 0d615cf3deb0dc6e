/**
 * The local S3 (s3rver) as its own process for the quota scenario, so its work does not delay the open-loop
 * sender's clock. LOCAL_S3_PORT, LOCAL_S3_DIR, LOCAL_S3_BUCKET come from the bench.
 */
import { startLocalS3 } from "@faceindex/local-s3";

const env = process.env;
const s3 = await startLocalS3({
  directory: env.LOCAL_S3_DIR ?? "./.data/bench-s3",
  port: Number(env.LOCAL_S3_PORT ?? 0),
  buckets: [env.LOCAL_S3_BUCKET ?? "bench-bucket"],
});
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    void s3.close().then(() => process.exit(0));
  });
}
