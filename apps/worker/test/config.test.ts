import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.ts";

describe("parseConfig", () => {
  it("applies the defaults", () => {
    expect(parseConfig({ REDIS_URL: "redis://127.0.0.1:6379" })).toEqual({
      REDIS_URL: "redis://127.0.0.1:6379",
      QUEUE_PREFIX: "{faceindex}",
      COLLECTION_ID: "faceindex",
      WORKER_CONCURRENCY: 4,
      // Health port off unless asked for: several workers on one machine would collide.
      WORKER_HEALTH_PORT: 0,
      WORKER_HEALTH_HOST: "127.0.0.1",
      AUDIT_RETENTION_DAYS: 400,
      REDIS_CLUSTER: false,
      WORKER_METRICS_PORT: 9465,
      WORKER_METRICS_HOST: "127.0.0.1",
      // Path style and region are decided per endpoint and by the AWS chain (adapters/s3/client-settings.ts).
      S3_FORCE_PATH_STYLE: undefined,
      S3_CONDITIONAL_WRITES: true,
      LOG_LEVEL: "info",
      REKOGNITION_USERS: "off",
    });
  });

  it("reads every variable, and treats empty ones as unset", () => {
    const config = parseConfig({
      REDIS_URL: "redis://redis:6379",
      COLLECTION_ID: "kyc-faces",
      WORKER_CONCURRENCY: "8",
      S3_ENDPOINT: "http://127.0.0.1:4569",
      S3_FORCE_PATH_STYLE: "false",
      REKOGNITION_ENDPOINT: "",
      AWS_REGION: "ap-south-1",
      LOG_LEVEL: "debug",
      REKOGNITION_USERS: "on",
    });
    expect(config).toMatchObject({
      COLLECTION_ID: "kyc-faces",
      WORKER_CONCURRENCY: 8,
      S3_FORCE_PATH_STYLE: false,
      REKOGNITION_USERS: "on",
    });
    expect(config.S3_ENDPOINT).toBe("http://127.0.0.1:4569");
    expect(config.REKOGNITION_ENDPOINT).toBeUndefined();
  });

  it("reads REKOGNITION_TPS as one rate for every operation or a rate per operation", () => {
    const base = { REDIS_URL: "redis://127.0.0.1:6379" };
    expect(parseConfig({ ...base, REKOGNITION_TPS: "50" }).REKOGNITION_TPS).toEqual({ "*": 50 });
    expect(parseConfig({ ...base, REKOGNITION_TPS: "IndexFaces=50,SearchFacesByImage=5" }).REKOGNITION_TPS).toEqual({
      IndexFaces: 50,
      SearchFacesByImage: 5,
    });
    expect(parseConfig({ ...base, REKOGNITION_TPS: "" }).REKOGNITION_TPS).toBeUndefined();
    expect(() => parseConfig({ ...base, REKOGNITION_TPS: "fast" })).toThrow(/REKOGNITION_TPS/);
  });

  it("names every bad variable", () => {
    expect(() => parseConfig({ WORKER_CONCURRENCY: "0", LOG_LEVEL: "loud" })).toThrow(
      /REDIS_URL.*WORKER_CONCURRENCY.*LOG_LEVEL/,
    );
  });
});
