/** The environment schema: defaults, and one clear error listing every bad variable. */
import { describe, expect, it } from "vitest";
import { FACE_MODEL_7, FACE_MODEL_8, LATEST_FACE_MODEL } from "@faceindex/face-engine";
import { parseConfig } from "../src/config.ts";

describe("parseConfig", () => {
  it("has working defaults", () => {
    expect(parseConfig({})).toMatchObject({
      REKOGNITION_PORT: 4599,
      REKOGNITION_HOST: "127.0.0.1",
      REKOGNITION_DATA_DIR: "./.data/rekognition",
      FACE_ENGINE: "neural",
      S3_FORCE_PATH_STYLE: true,
      AWS_REGION: "us-east-1",
    });
    expect(parseConfig({}).REKOGNITION_TPS_LIMIT).toBeUndefined();
  });

  it("parses the knobs and rejects bad values by name", () => {
    expect(
      parseConfig({
        FACE_ENGINE: "load-test",
        LOAD_TEST_LATENCY_MS: "20",
        REKOGNITION_TPS_LIMIT: "5",
        S3_FORCE_PATH_STYLE: "false",
        FACE_ENGINE_THREADS: "",
      }),
    ).toMatchObject({
      FACE_ENGINE: "load-test",
      LOAD_TEST_LATENCY_MS: 20,
      REKOGNITION_TPS_LIMIT: 5,
      S3_FORCE_PATH_STYLE: false,
      FACE_ENGINE_THREADS: undefined,
    });
    expect(() => parseConfig({ FACE_ENGINE: "magic", REKOGNITION_TPS_LIMIT: "lots" })).toThrow(
      /FACE_ENGINE.*REKOGNITION_TPS_LIMIT/,
    );
  });

  it("parses FACE_MODEL_VERSION into the model new collections get, and refuses versions it does not have", () => {
    expect(parseConfig({}).FACE_MODEL_VERSION).toBe(LATEST_FACE_MODEL);
    expect(parseConfig({ FACE_MODEL_VERSION: "" }).FACE_MODEL_VERSION).toBe(LATEST_FACE_MODEL);
    expect(parseConfig({ FACE_MODEL_VERSION: "7.0" }).FACE_MODEL_VERSION).toBe(FACE_MODEL_7);
    expect(parseConfig({ FACE_MODEL_VERSION: "8.0" }).FACE_MODEL_VERSION).toBe(FACE_MODEL_8);
    expect(() => parseConfig({ FACE_MODEL_VERSION: "6.0" })).toThrow(
      /FACE_MODEL_VERSION: not a face model this engine has \(7\.0, 8\.0\)/,
    );
  });
});
