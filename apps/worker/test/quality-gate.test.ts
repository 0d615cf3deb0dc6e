/**
 * Fast unit test of the quality gate with plain objects: the decision at each threshold, the DetectFaces
 * mapping, and where the gate sits in the index-faces job (before IndexFaces, refusal audited, off by default).
 * The real thing, photos through the local stack, is packages/local-stack/test/quality-gate.test.ts.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_TENANT, type FaceQuality, type IndexFacesJob } from "@faceindex/contracts";
import type { AuditEntry } from "@faceindex/audit";
import { toFaceQualities } from "../src/adapters/rekognition/face-detector.ts";
import type { IndexFacesResult } from "../src/adapters/rekognition/face-index.ts";
import { createIndexFacesProcessor } from "../src/jobs/index-faces.ts";
import { fakeIndexFacesDeps } from "./support/index-faces-fakes.ts";
import {
  MAX_ROLL_DEGREES,
  MAX_YAW_PITCH_DEGREES,
  MIN_BRIGHTNESS,
  MIN_EYES_CLOSED_CONFIDENCE,
  MIN_OCCLUDED_CONFIDENCE,
  MIN_SHARPNESS,
  qualityMessage,
  qualityReasons,
} from "../src/jobs/quality-rules.ts";
import type { ProcessedJob } from "../src/runtime/job-runner.ts";

/** A good frontal selfie, as the local engine measures the fixture portraits. */
const good: FaceQuality = {
  bounding_box: { width: 0.5, height: 0.6, left: 0.25, top: 0.2 },
  confidence: 99,
  pose: { roll: -2, yaw: 6, pitch: -4 },
  quality: { sharpness: 90, brightness: 52 },
  eyes_open: { value: true, confidence: 98 },
  face_occluded: { value: false, confidence: 95 },
};

const face = (change: Partial<FaceQuality>): FaceQuality => ({ ...good, ...change });

describe("qualityReasons", () => {
  it("passes a good frontal face, and one just inside every limit", () => {
    expect(qualityReasons(good)).toEqual([]);
    const edge = face({
      pose: { roll: -MAX_ROLL_DEGREES, yaw: MAX_YAW_PITCH_DEGREES, pitch: -MAX_YAW_PITCH_DEGREES },
      quality: { sharpness: MIN_SHARPNESS, brightness: MIN_BRIGHTNESS },
    });
    expect(qualityReasons(edge)).toEqual([]);
  });

  it.each([
    ["yaw", { roll: 0, yaw: -(MAX_YAW_PITCH_DEGREES + 0.1), pitch: 0 }],
    ["pitch", { roll: 0, yaw: 0, pitch: MAX_YAW_PITCH_DEGREES + 0.1 }],
    ["roll", { roll: -(MAX_ROLL_DEGREES + 0.1), yaw: 0, pitch: 0 }],
  ])("refuses an extreme %s with EXTREME_POSE", (_axis, pose) => {
    expect(qualityReasons(face({ pose }))).toEqual(["EXTREME_POSE"]);
  });

  it("refuses a blurred face with LOW_SHARPNESS and a dark one with LOW_BRIGHTNESS", () => {
    expect(qualityReasons(face({ quality: { sharpness: MIN_SHARPNESS - 0.1, brightness: 52 } }))).toEqual([
      "LOW_SHARPNESS",
    ]);
    expect(qualityReasons(face({ quality: { sharpness: 90, brightness: MIN_BRIGHTNESS - 0.1 } }))).toEqual([
      "LOW_BRIGHTNESS",
    ]);
  });

  it("refuses closed eyes and an occluded face only when the service is sure", () => {
    const closed = (confidence: number) => face({ eyes_open: { value: false, confidence } });
    expect(qualityReasons(closed(MIN_EYES_CLOSED_CONFIDENCE))).toEqual(["EYES_CLOSED"]);
    expect(qualityReasons(closed(MIN_EYES_CLOSED_CONFIDENCE - 0.1))).toEqual([]);
    const occluded = (confidence: number) => face({ face_occluded: { value: true, confidence } });
    expect(qualityReasons(occluded(MIN_OCCLUDED_CONFIDENCE))).toEqual(["FACE_OCCLUDED"]);
    expect(qualityReasons(occluded(MIN_OCCLUDED_CONFIDENCE - 0.1))).toEqual([]);
  });

  it("cannot refuse on an attribute the service did not return", () => {
    const { eyes_open: _eyes, face_occluded: _occluded, ...measured } = good;
    expect(qualityReasons(measured)).toEqual([]);
  });

  it("names every reason at once, in a stable order, with advice", () => {
    const bad = face({
      pose: { roll: 50, yaw: 0, pitch: 0 },
      quality: { sharpness: 10, brightness: 5 },
      eyes_open: { value: false, confidence: 99 },
      face_occluded: { value: true, confidence: 99 },
    });
    const reasons = qualityReasons(bad);
    expect(reasons).toEqual(["EXTREME_POSE", "LOW_SHARPNESS", "LOW_BRIGHTNESS", "EYES_CLOSED", "FACE_OCCLUDED"]);
    expect(qualityMessage(["LOW_SHARPNESS"])).toBe(
      "The selfie failed the quality gate (LOW_SHARPNESS): retake it; hold the camera still and in focus",
    );
  });
});

describe("toFaceQualities (DetectFaces with Attributes ALL)", () => {
  it("maps each FaceDetail, largest face first, leaving out the attributes not returned", () => {
    const small = { BoundingBox: { Width: 0.1, Height: 0.1, Left: 0, Top: 0 }, Confidence: 80 };
    const large = {
      BoundingBox: { Width: 0.5, Height: 0.6, Left: 0.2, Top: 0.1 },
      Confidence: 99.5,
      Pose: { Roll: 1, Yaw: -50, Pitch: 3 },
      Quality: { Sharpness: 40, Brightness: 70 },
      EyesOpen: { Value: false, Confidence: 97 },
    };
    const [first, second] = toFaceQualities({ FaceDetails: [small, large] });
    expect(first).toEqual({
      bounding_box: { width: 0.5, height: 0.6, left: 0.2, top: 0.1 },
      confidence: 99.5,
      pose: { roll: 1, yaw: -50, pitch: 3 },
      quality: { sharpness: 40, brightness: 70 },
      eyes_open: { value: false, confidence: 97 },
    });
    expect(second).not.toHaveProperty("eyes_open");
    expect(second).not.toHaveProperty("face_occluded");
    expect(toFaceQualities({})).toEqual([]);
  });
});

describe("the gate in the index-faces job", () => {
  const payload: IndexFacesJob = {
    requestId: "req-q",
    tenant: DEFAULT_TENANT,
    subject: "user-1",
    imageKey: "img:req-q",
    contentType: "image/jpeg",
    bucket: "kyc-bucket",
    objectKey: "faces/req-q.jpg",
    externalImageId: "user-q",
    maxFaces: 1,
    qualityFilter: "AUTO",
  };
  const indexed: IndexFacesResult = {
    faceModelVersion: "7.0",
    indexed: [
      {
        face_id: "f1",
        image_id: "i1",
        external_image_id: "user-q",
        confidence: 99,
        bounding_box: good.bounding_box,
      },
    ],
    unindexed: [],
  };

  function setup(faces: FaceQuality[]) {
    const calls: string[] = [];
    const audited: AuditEntry[] = [];
    const run = createIndexFacesProcessor(
      fakeIndexFacesDeps({
        imageStore: {
          putImage: async () => (calls.push("putImage"), { etag: "etag-1" }),
          headImage: async () => null,
          conditionalWrites: true,
        },
        faceDetector: {
          detectFaces: async (image) => (calls.push(`detectFaces ${image.bucket}/${image.key}`), faces),
        },
        faceIndex: { indexFaces: async () => (calls.push("indexFaces"), indexed) },
        faceCollection: { searchFacesByImage: async () => (calls.push("searchFacesByImage"), null) },
        audit: { record: async (_tenant, entry) => void audited.push(entry) },
      }),
    );
    const runJob = (data: IndexFacesJob) =>
      run({ id: data.requestId, data, attemptsMade: 0, opts: { attempts: 5 } } as ProcessedJob, {
        putBack: async () => undefined,
      });
    return { runJob, calls, audited };
  }

  it("refuses a bad capture on the stored object before the duplicate check and IndexFaces, and audits it", async () => {
    const blurred = face({ quality: { sharpness: 30, brightness: 52 } });
    const { runJob, calls, audited } = setup([blurred]);
    const outcome = await runJob({ ...payload, qualityGate: "enforce", dedupe: "reject" });
    expect(outcome).toEqual({
      status: "quality_rejected",
      message: qualityMessage(["LOW_SHARPNESS"]),
      reasons: ["LOW_SHARPNESS"],
      face: blurred,
    });
    expect(calls).toEqual(["putImage", "detectFaces kyc-bucket/faces/req-q.jpg"]);
    expect(audited).toEqual([
      expect.objectContaining({
        action: "refuse",
        external_image_id: "user-q",
        object_keys: ["faces/req-q.jpg"],
        face_ids: [],
        outcome: { status: "quality_rejected" },
      }),
    ]);
  });

  it("indexes a good capture after the gate, and leaves an image without a face to IndexFaces", async () => {
    const passing = setup([good]);
    expect(await passing.runJob({ ...payload, qualityGate: "enforce" })).toMatchObject({ status: "indexed" });
    expect(passing.calls).toEqual(["putImage", "detectFaces kyc-bucket/faces/req-q.jpg", "indexFaces"]);
    const faceless = setup([]);
    expect(await faceless.runJob({ ...payload, qualityGate: "enforce" })).toMatchObject({ status: "indexed" });
    expect(faceless.calls).toContain("indexFaces");
  });

  it("judges only the largest face", async () => {
    const background = face({ bounding_box: { width: 0.05, height: 0.05, left: 0, top: 0 }, pose: good.pose });
    const { runJob } = setup([good, { ...background, quality: { sharpness: 5, brightness: 5 } }]);
    expect(await runJob({ ...payload, qualityGate: "enforce", maxFaces: 2 })).toMatchObject({ status: "indexed" });
  });

  it("never runs without qualityGate enforce (absent and off)", async () => {
    for (const data of [payload, { ...payload, qualityGate: "off" as const }]) {
      const { runJob, calls } = setup([face({ quality: { sharpness: 1, brightness: 1 } })]);
      expect(await runJob(data)).toMatchObject({ status: "indexed" });
      expect(calls).toEqual(["putImage", "indexFaces"]);
    }
  });
});
