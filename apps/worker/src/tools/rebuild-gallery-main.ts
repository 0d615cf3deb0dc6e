/**
 * `pnpm gallery:rebuild <bucket> [<bucket>...] [--skip-image-keys]`: rebuilds the gallery mapping of
 * COLLECTION_ID from ListFaces (see rebuild-gallery.ts for how buckets and image keys are recovered).
 * Reads the same environment as the worker; prints one JSON summary line. --skip-image-keys skips the
 * S3 scan (one HEAD per object) and records every image key as unknown.
 */
import { RekognitionClient } from "@aws-sdk/client-rekognition";
import { S3Client } from "@aws-sdk/client-s3";
import { Redis } from "ioredis";
import { s3ClientSettings } from "../adapters/s3/client-settings.ts";
import { parseConfig } from "../config.ts";
import { createFaceCollection } from "../adapters/rekognition/face-collection.ts";
import { createGalleryMap } from "../adapters/redis/gallery-map.ts";
import { findImageOwners } from "../adapters/s3/image-owners.ts";
import { rebuildGallery } from "./rebuild-gallery.ts";

const config = parseConfig(process.env);
const args = process.argv.slice(2);
const buckets = args.filter((arg) => !arg.startsWith("--"));
const skipImageKeys = args.includes("--skip-image-keys");
if (buckets.length === 0) {
  console.error("usage: pnpm gallery:rebuild <bucket> [<bucket>...] [--skip-image-keys]");
  process.exit(2);
}

// The SDK's standard retries (3 attempts) suit a one-off batch: there is no job retry behind it.
const s3 = new S3Client(s3ClientSettings(config));
const rekognition = new RekognitionClient({ region: config.AWS_REGION, endpoint: config.REKOGNITION_ENDPOINT });
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3 });

try {
  const summary = await rebuildGallery({
    faceCollection: createFaceCollection(rekognition),
    gallery: createGalleryMap(redis, config.QUEUE_PREFIX, config.COLLECTION_ID),
    findOwners: (bucket) => (skipImageKeys ? Promise.resolve(new Map()) : findImageOwners(s3, bucket)),
    collectionId: config.COLLECTION_ID,
    buckets,
  });
  console.log(JSON.stringify({ collection_id: config.COLLECTION_ID, buckets, ...summary }));
} catch (error) {
  console.error(
    `gallery rebuild failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
  );
  process.exitCode = 1;
} finally {
  redis.disconnect();
  s3.destroy();
  rekognition.destroy();
}
