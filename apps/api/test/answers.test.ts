/** Mapping a finished index-faces job to the HTTP answer (jobs/answers.ts). */
import { describe, expect, it } from "vitest";
import type { IndexedFaceData } from "@faceindex/contracts";
import { answerForDelete, answerForIndex, answerForSearch } from "../src/jobs/answers.ts";

const data = { face_id: "f1", external_image_id: "e1" } as unknown as IndexedFaceData;

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("answerForIndex", () => {
  it("indexed -> 200 body with the worker's data", () => {
    expect(answerForIndex({ status: "completed", returnvalue: { status: "indexed", data } }, "r1")).toEqual({
      success: true,
      message: "Face indexed",
      data,
    });
  });

  it("no_face -> 400 NO_FACE_INDEXED with the unindexed faces", () => {
    const unindexed_faces = [
      { reasons: ["SMALL_BOUNDING_BOX"], confidence: 80, bounding_box: { width: 0, height: 0, left: 0, top: 0 } },
    ];
    const error = thrown(() =>
      answerForIndex(
        { status: "completed", returnvalue: { status: "no_face", message: "too small", unindexed_faces } },
        "r1",
      ),
    );
    expect(error).toMatchObject({
      statusCode: 400,
      code: "NO_FACE_INDEXED",
      message: "too small",
      extra: { unindexed_faces },
    });
  });

  it("quality_rejected -> 400 QUALITY_REJECTED with the reasons and the face's measurements", () => {
    const face = {
      bounding_box: { width: 0.4, height: 0.5, left: 0.3, top: 0.2 },
      confidence: 99,
      pose: { roll: 48, yaw: 3, pitch: -2 },
      quality: { sharpness: 31, brightness: 55 },
    };
    const returnvalue = {
      status: "quality_rejected",
      message: "The selfie failed the quality gate (EXTREME_POSE, LOW_SHARPNESS): retake it",
      reasons: ["EXTREME_POSE", "LOW_SHARPNESS"],
      face,
    };
    expect(thrown(() => answerForIndex({ status: "completed", returnvalue }, "r1"))).toMatchObject({
      statusCode: 400,
      code: "QUALITY_REJECTED",
      message: returnvalue.message,
      extra: { reasons: ["EXTREME_POSE", "LOW_SHARPNESS"], face },
    });
  });

  it("failed outcome -> 400 with its code and the API's stable message for it, not the worker's text", () => {
    const returnvalue = { status: "failed", code: "INVALID_IMAGE_FORMAT", message: "cannot decode", retryable: false };
    expect(thrown(() => answerForIndex({ status: "completed", returnvalue }, "r1"))).toMatchObject({
      statusCode: 400,
      code: "INVALID_IMAGE_FORMAT",
      message: "The request could not be processed (INVALID_IMAGE_FORMAT)",
    });
  });

  it.each([
    ["index", answerForIndex],
    ["delete", answerForDelete],
    ["search", answerForSearch],
  ] as const)("%s: a retryable failed outcome -> 503 with its code and a Retry-After, never 400", (_kind, answer) => {
    const returnvalue = {
      status: "failed",
      code: "ECONNREFUSED",
      message: "Failed indexing faces in Rekognition: the service could not be reached (ECONNREFUSED)",
      retryable: true,
    };
    const error = thrown(() => answer({ status: "completed", returnvalue }, "r1"));
    // The API's stable words for an outage, never the worker's text (issue 10).
    expect(error).toMatchObject({
      statusCode: 503,
      code: "ECONNREFUSED",
      message: expect.stringMatching(/unavailable/),
    });
    expect((error as Error).message).not.toContain("Rekognition");
    expect((error as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
  });

  it("failed job -> 400 PROCESSING_FAILED without the reason", () => {
    const error = thrown(() => answerForIndex({ status: "failed", failedReason: "ECONNREFUSED 10.0.0.1" }, "r1"));
    expect(error).toMatchObject({ statusCode: 400, code: "PROCESSING_FAILED", extra: { request_id: "r1" } });
    expect((error as Error).message).not.toContain("10.0.0.1");
  });

  it("an unknown return value -> a plain error (500, details hidden)", () => {
    expect(
      thrown(() => answerForIndex({ status: "completed", returnvalue: { weird: true } }, "r1")),
    ).not.toHaveProperty("statusCode");
    expect(thrown(() => answerForIndex({ status: "completed", returnvalue: null }, "r1"))).toBeInstanceOf(Error);
  });
});
