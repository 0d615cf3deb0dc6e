import { describe, expect, it } from "vitest";
import { QUALITY_THRESHOLDS, unindexedReasons, type DetectedFace } from "@faceindex/face-engine";

const image = { width: 1000, height: 1000 };

function face(overrides: Partial<DetectedFace> = {}): DetectedFace {
  return {
    box: { left: 0.3, top: 0.3, width: 0.3, height: 0.4 },
    confidence: 99.5,
    landmarks: [],
    pose: { roll: 0, yaw: 5, pitch: -5 },
    quality: { brightness: 55, sharpness: 85 },
    descriptor: new Float32Array(128),
    ...overrides,
  };
}

describe("unindexedReasons", () => {
  it("accepts a good face at every level", () => {
    for (const level of ["NONE", "AUTO", "LOW", "MEDIUM", "HIGH"] as const)
      expect(unindexedReasons(face(), image, level)).toEqual([]);
  });

  it("names each problem with its AWS reason code", () => {
    expect(unindexedReasons(face({ confidence: 20 }), image, "AUTO")).toEqual(["LOW_CONFIDENCE"]);
    expect(unindexedReasons(face({ box: { left: 0.5, top: 0.5, width: 0.01, height: 0.02 } }), image, "AUTO")).toEqual([
      "SMALL_BOUNDING_BOX",
    ]);
    expect(unindexedReasons(face({ quality: { brightness: 55, sharpness: 2 } }), image, "AUTO")).toEqual([
      "LOW_SHARPNESS",
    ]);
    expect(unindexedReasons(face({ quality: { brightness: 3, sharpness: 85 } }), image, "AUTO")).toEqual([
      "LOW_BRIGHTNESS",
    ]);
    expect(unindexedReasons(face({ pose: { roll: 0, yaw: 80, pitch: 0 } }), image, "AUTO")).toEqual(["EXTREME_POSE"]);
    expect(unindexedReasons(face({ pose: { roll: 0, yaw: 0, pitch: -85 } }), image, "AUTO")).toEqual(["EXTREME_POSE"]);
  });

  it("lists every reason that applies, and none with NONE", () => {
    const bad = face({
      confidence: 10,
      quality: { brightness: 1, sharpness: 1 },
      pose: { roll: 0, yaw: 89, pitch: 0 },
    });
    expect(unindexedReasons(bad, image, "LOW")).toEqual([
      "LOW_CONFIDENCE",
      "LOW_SHARPNESS",
      "LOW_BRIGHTNESS",
      "EXTREME_POSE",
    ]);
    expect(unindexedReasons(bad, image, "NONE")).toEqual([]);
  });

  it("measures box size in pixels of the image, so the same ratio passes in a large photo only", () => {
    const small = face({ box: { left: 0.4, top: 0.4, width: 0.05, height: 0.06 } });
    expect(unindexedReasons(small, { width: 2000, height: 2000 }, "AUTO")).toEqual([]);
    expect(unindexedReasons(small, { width: 300, height: 300 }, "AUTO")).toEqual(["SMALL_BOUNDING_BOX"]);
  });

  it("is stricter at each level: a face just under a MEDIUM limit passes LOW and fails MEDIUM and HIGH", () => {
    const m = QUALITY_THRESHOLDS.MEDIUM;
    const cases: DetectedFace[] = [
      face({ confidence: m.minConfidence - 1 }),
      face({ quality: { brightness: m.minBrightness - 1, sharpness: 85 } }),
      face({ quality: { brightness: 55, sharpness: m.minSharpness - 1 } }),
      face({ pose: { roll: 0, yaw: m.maxYawPitch + 1, pitch: 0 } }),
    ];
    for (const c of cases) {
      expect(unindexedReasons(c, image, "LOW")).toEqual([]);
      expect(unindexedReasons(c, image, "MEDIUM")).toHaveLength(1);
      expect(unindexedReasons(c, image, "HIGH")).toEqual(unindexedReasons(c, image, "MEDIUM"));
    }
  });
});
