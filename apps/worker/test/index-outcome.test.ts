import type { IndexFacesCommandOutput } from "@aws-sdk/client-rekognition";
import { describe, expect, it } from "vitest";
import { toIndexFacesResult } from "../src/adapters/rekognition/face-index.ts";
import { indexedOutcome, noFaceMessage } from "../src/jobs/index-outcome.ts";

const stored = { bucket: "kyc", key: "a/b.jpg", etag: "0123abcd" };

/** The shape IndexFaces answers with: two faces indexed (smaller one first), one filtered out. */
const response: Pick<IndexFacesCommandOutput, "FaceRecords" | "UnindexedFaces" | "FaceModelVersion"> = {
  FaceModelVersion: "7.0",
  FaceRecords: [
    {
      Face: {
        FaceId: "small-face",
        ImageId: "image-1",
        ExternalImageId: "user-42",
        Confidence: 99.1,
        BoundingBox: { Width: 0.1, Height: 0.1, Left: 0.7, Top: 0.2 },
      },
    },
    {
      Face: {
        FaceId: "big-face",
        ImageId: "image-1",
        ExternalImageId: "user-42",
        Confidence: 99.9,
        BoundingBox: { Width: 0.4, Height: 0.5, Left: 0.1, Top: 0.15 },
      },
    },
  ],
  UnindexedFaces: [
    {
      Reasons: ["EXCEEDS_MAX_FACES"],
      FaceDetail: { Confidence: 98, BoundingBox: { Width: 0.05, Height: 0.05, Left: 0, Top: 0 } },
    },
  ],
};

describe("IndexFaces response -> outcome", () => {
  it("puts the largest indexed face first and keeps every record in snake_case", () => {
    const outcome = indexedOutcome("faces", stored, toIndexFacesResult(response));
    expect(outcome).toEqual({
      status: "indexed",
      data: {
        face_id: "big-face",
        image_id: "image-1",
        external_image_id: "user-42",
        confidence: 99.9,
        bounding_box: { width: 0.4, height: 0.5, left: 0.1, top: 0.15 },
        collection_id: "faces",
        face_model_version: "7.0",
        s3: stored,
        indexed_faces: [
          expect.objectContaining({ face_id: "big-face" }),
          expect.objectContaining({
            face_id: "small-face",
            bounding_box: { width: 0.1, height: 0.1, left: 0.7, top: 0.2 },
          }),
        ],
        unindexed_faces: [
          {
            reasons: ["EXCEEDS_MAX_FACES"],
            confidence: 98,
            bounding_box: { width: 0.05, height: 0.05, left: 0, top: 0 },
          },
        ],
      },
    });
  });

  it("answers no_face with the reasons when every face was filtered out", () => {
    const outcome = indexedOutcome(
      "faces",
      stored,
      toIndexFacesResult({
        FaceModelVersion: "7.0",
        FaceRecords: [],
        UnindexedFaces: [
          {
            Reasons: ["LOW_SHARPNESS"],
            FaceDetail: { Confidence: 90, BoundingBox: { Width: 0.3, Height: 0.3, Left: 0.3, Top: 0.3 } },
          },
        ],
      }),
    );
    expect(outcome).toEqual({
      status: "no_face",
      message: "1 face found but not indexed: LOW_SHARPNESS",
      unindexed_faces: [
        { reasons: ["LOW_SHARPNESS"], confidence: 90, bounding_box: { width: 0.3, height: 0.3, left: 0.3, top: 0.3 } },
      ],
    });
  });

  it("says no face was found when Rekognition saw none", () => {
    const outcome = indexedOutcome("faces", stored, toIndexFacesResult({ FaceRecords: [], UnindexedFaces: [] }));
    expect(outcome).toEqual({
      status: "no_face",
      message: "No face was indexed: no face found in the image",
      unindexed_faces: [],
    });
  });

  it("lists each reason once for several filtered faces", () => {
    const box = { width: 0.1, height: 0.1, left: 0, top: 0 };
    expect(
      noFaceMessage([
        { reasons: ["SMALL_BOUNDING_BOX", "LOW_CONFIDENCE"], confidence: 50, bounding_box: box },
        { reasons: ["SMALL_BOUNDING_BOX"], confidence: 60, bounding_box: box },
      ]),
    ).toBe("2 faces found but not indexed: SMALL_BOUNDING_BOX, LOW_CONFIDENCE");
  });
});
