/**
 * A local S3 for trying rekognition-local by hand (see README.md): s3rver on 127.0.0.1:4569 with a
 * bucket named "faces", objects under ./.data/s3. Credentials: S3RVER / S3RVER. Ctrl-C stops it.
 */
import { startLocalS3 } from "@faceindex/local-s3";

const s3 = await startLocalS3({ directory: "./.data/s3", port: 4569, buckets: ["faces"] });
console.log(`local S3 at ${s3.endpoint} (bucket "faces", credentials S3RVER/S3RVER)`);
process.on("SIGINT", () => void s3.close().then(() => process.exit(0)));
process.on("SIGTERM", () => void s3.close().then(() => process.exit(0)));
