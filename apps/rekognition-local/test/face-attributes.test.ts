/**
 * DetectFaces `Attributes` through the official SDK on the neural engine: ALL returns what the bundled models
 * compute, each with a confidence; a single attribute returns only that one; what has no model is omitted.
 */
import { DetectFacesCommand } from "@aws-sdk/client-rekognition";
import { facePhoto } from "@faceindex/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "./test-stack.ts";

let stack: TestStack;
const image = { Bytes: facePhoto("same/obama_1.jpg") };

beforeAll(async () => {
  stack = await startTestStack({ engine: "neural" });
});

afterAll(async () => {
  await stack?.close();
});

describe("DetectFaces Attributes", () => {
  it("ALL: age, gender, emotions, smile, eyes and mouth open with confidences; no invented attributes", async () => {
    const result = await stack.rekognition.send(new DetectFacesCommand({ Image: image, Attributes: ["ALL"] }));
    const face = result.FaceDetails![0]!;
    expect(face.AgeRange!.Low).toBeLessThan(face.AgeRange!.High!);
    expect(face.Gender).toMatchObject({ Value: "Male" });
    expect(face.Gender!.Confidence).toBeGreaterThan(50);
    expect(face.Emotions!.length).toBeGreaterThan(0);
    for (const attribute of [face.Smile, face.EyesOpen, face.MouthOpen]) {
      expect(typeof attribute!.Value).toBe("boolean");
      expect(attribute!.Confidence).toBeGreaterThanOrEqual(0);
    }
    // An official portrait: eyes open.
    expect(face.EyesOpen!.Value).toBe(true);
    for (const missing of ["EyeDirection", "FaceOccluded", "Beard", "Mustache", "Eyeglasses", "Sunglasses"])
      expect(face).not.toHaveProperty(missing);
    expect(face.BoundingBox).toBeDefined();
  });

  it("a single attribute returns only that one besides the DEFAULT members, DEFAULT none", async () => {
    const smile = await stack.rekognition.send(new DetectFacesCommand({ Image: image, Attributes: ["SMILE"] }));
    expect(smile.FaceDetails![0]!.Smile).toBeDefined();
    expect(smile.FaceDetails![0]!.AgeRange).toBeUndefined();
    const plain = await stack.rekognition.send(new DetectFacesCommand({ Image: image, Attributes: ["DEFAULT"] }));
    expect(plain.FaceDetails![0]!.Smile).toBeUndefined();
    expect(plain.FaceDetails![0]!.Pose).toBeDefined();
  });
});
