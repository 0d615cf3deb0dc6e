import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.ts";
import { s3ClientSettings } from "../src/adapters/s3/client-settings.ts";

const base = { REDIS_URL: "redis://127.0.0.1:6379" };

describe("s3ClientSettings", () => {
  it("uses AWS's defaults when no endpoint is overridden: virtual-host URLs, upload checksums, the chain's region", () => {
    const settings = s3ClientSettings(parseConfig(base));
    expect(settings.forcePathStyle).toBe(false);
    expect(settings).not.toHaveProperty("requestChecksumCalculation");
    expect(settings.region).toBeUndefined();
    expect(settings.endpoint).toBeUndefined();
  });

  it("uses path-style URLs and plain uploads against a local S3-compatible endpoint", () => {
    const settings = s3ClientSettings(
      parseConfig({ ...base, S3_ENDPOINT: "http://127.0.0.1:4568", AWS_REGION: "eu-west-1" }),
    );
    expect(settings).toMatchObject({
      endpoint: "http://127.0.0.1:4568",
      forcePathStyle: true,
      requestChecksumCalculation: "WHEN_REQUIRED",
      region: "eu-west-1",
    });
  });

  it("lets S3_FORCE_PATH_STYLE override the default either way", () => {
    expect(s3ClientSettings(parseConfig({ ...base, S3_FORCE_PATH_STYLE: "true" })).forcePathStyle).toBe(true);
    expect(
      s3ClientSettings(parseConfig({ ...base, S3_ENDPOINT: "http://127.0.0.1:4568", S3_FORCE_PATH_STYLE: "false" }))
        .forcePathStyle,
    ).toBe(false);
  });
});
