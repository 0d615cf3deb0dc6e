/**
 * s3rver's putObject writes through a stream with no 'error' listener, so any write failure (ENAMETOOLONG,
 * ENOSPC, EACCES) is an uncaught exception that kills the process. This replaces that one method with the
 * same file layout written through pipeline(), whose failure rejects: s3rver then answers an S3 error (500).
 * The rest of s3rver's store is kept as it is.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

interface S3rverObject {
  bucket: string;
  key: string;
  metadata: Record<string, string>;
  content: Buffer | Readable;
}

export interface S3rverStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
  existsObject(bucket: string, key: string): Promise<boolean>;
}

export function makePutObjectSafe(store: S3rverStore): void {
  store.putObject = async (object) => {
    const objectPath = store.getResourcePath(object.bucket, object.key, "object");
    await mkdir(dirname(objectPath), { recursive: true });
    const md5 = createHash("md5");
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        md5.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    const source = Buffer.isBuffer(object.content) ? [object.content] : object.content;
    try {
      await pipeline(source, counter, createWriteStream(objectPath));
    } catch (error) {
      // A half-written object must not be served later.
      await rm(objectPath, { force: true });
      throw error;
    }
    const digest = md5.digest("hex");
    await store.putMetadata(object.bucket, object.key, object.metadata, digest);
    return { size, md5: digest };
  };
}
