/**
 * S3 client settings that suit both a local S3-compatible server and AWS: path-style URLs and plain
 * (non-chunked) uploads only where an endpoint override says the server is not AWS. The one statement
 * of these settings: the worker, the gallery rebuild and the tests' local-S3 clients all take them.
 */
import type { S3ClientConfig } from "@aws-sdk/client-s3";

/** Named like the environment variables (config.ts), so a parsed config is passed as it is. */
export interface S3Endpoint {
  /** Unset = the standard AWS chain (profile). */
  AWS_REGION?: string | undefined;
  /** Unset = AWS S3. */
  S3_ENDPOINT?: string | undefined;
  /** Unset = path style exactly when S3_ENDPOINT is set. */
  S3_FORCE_PATH_STYLE?: boolean | undefined;
}

export function s3ClientSettings(config: S3Endpoint): S3ClientConfig {
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
