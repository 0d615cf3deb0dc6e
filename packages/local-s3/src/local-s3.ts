/**
 * A local S3-compatible server (s3rver) for `pnpm start` and the tests, so the pipeline stores real objects
 * without an AWS account. Point clients at it with path-style addressing and these credentials.
 */
import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
// s3rver is CommonJS without types; we use its documented constructor, run() and close() only.
import S3rver from "s3rver";

/** s3rver knows only this access key; any other answers InvalidAccessKeyId (403). */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

export interface LocalS3Options {
  /** Where objects are kept; survives restarts. */
  directory: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Buckets created at start when missing (s3rver has no auto-create, like S3). */
  buckets?: string[];
}

export interface LocalS3 {
  endpoint: string;
  close(): Promise<void>;
}

export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  mkdirSync(options.directory, { recursive: true });
  const host = options.host ?? "127.0.0.1";
  const server = new S3rver({
    address: host,
    port: options.port ?? 0,
    directory: options.directory,
    silent: true,
    // Path-style only: virtual-host buckets would need DNS names for every bucket.
    vhostBuckets: false,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name, configs: [] })),
  });
  const address = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://${host}:${address.port}`,
    close: () => server.close(),
  };
}
