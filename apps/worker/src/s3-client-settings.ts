/**
 * S3 client settings that suit both a local S3-compatible server and AWS: path-style URLs and plain
 * (non-chunked) uploads only where an endpoint override says the server is not AWS.
 */
import type { S3ClientConfig } from "@aws-sdk/client-s3";
import type { WorkerConfig } from "./config.ts";

export function s3ClientSettings(
  config: Pick<WorkerConfig, "AWS_REGION" | "S3_ENDPOINT" | "S3_FORCE_PATH_STYLE">,
): S3ClientConfig {
  const custom = config.S3_ENDPOINT !== undefined;
  return {
    region: config.AWS_REGION,
    endpoint: config.S3_ENDPOINT,
    // Local servers need path-style URLs; AWS prefers virtual-host style (path style is deprecated there).
    forcePathStyle: config.S3_FORCE_PATH_STYLE ?? custom,
    // The SDK's default checksums send aws-chunked bodies, which local servers (s3rver) store corrupt;
    // against AWS the default stays, so uploads keep their integrity checksums.
    ...(custom ? { requestChecksumCalculation: "WHEN_REQUIRED" as const } : {}),
  };
}
