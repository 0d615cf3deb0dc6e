/** The model-driven validator: AWS's wording for each kind of constraint, on real operation shapes. */
import { describe, expect, it } from "vitest";
import { loadServiceModel } from "../src/protocol/service-model.ts";
import { validateInput } from "../src/protocol/validate-input.ts";

const model = loadServiceModel();
const check = (operation: string, body: unknown) => () => validateInput(model, model.operations[operation]!, body);

describe("validateInput", () => {
  it("accepts a valid request", () => {
    expect(
      check("IndexFaces", {
        CollectionId: "kyc",
        Image: { S3Object: { Bucket: "images", Name: "a.jpg" } },
        MaxFaces: 1,
        QualityFilter: "AUTO",
      }),
    ).not.toThrow();
  });

  it("names nested members, enums, list bounds and number ranges", () => {
    expect(
      check("IndexFaces", {
        CollectionId: "kyc",
        Image: { S3Object: { Bucket: "x", Name: "a.jpg" } },
        QualityFilter: "BEST",
      }),
    ).toThrow(
      "2 validation errors detected: Value 'x' at 'image.s3Object.bucket' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
        "Value 'BEST' at 'qualityFilter' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AUTO, LOW, MEDIUM, HIGH]",
    );
    expect(check("DeleteFaces", { CollectionId: "kyc", FaceIds: [] })).toThrow(
      "at 'faceIds' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    expect(check("SearchFaces", { CollectionId: "kyc", FaceId: "not-a-uuid" })).toThrow(
      "at 'faceId' failed to satisfy constraint: Member must satisfy regular expression pattern",
    );
    expect(
      check("SearchFacesByImage", { CollectionId: "kyc", Image: { Bytes: "AA==" }, FaceMatchThreshold: 101 }),
    ).toThrow(
      "Value '101' at 'faceMatchThreshold' failed to satisfy constraint: Member must have value less than or equal to 100",
    );
  });

  it("answers SerializationException for wrong JSON types and ImageTooLargeException for big image bytes", () => {
    expect(check("CreateCollection", { CollectionId: 7 })).toThrow(
      expect.objectContaining({ code: "SerializationException" }),
    );
    expect(check("DetectFaces", { Image: { Bytes: "not base64!" } })).toThrow(
      expect.objectContaining({ code: "SerializationException" }),
    );
    const big = "A".repeat(Math.ceil((5 * 1024 * 1024 + 3) / 3) * 4);
    expect(check("DetectFaces", { Image: { Bytes: big } })).toThrow(
      expect.objectContaining({ code: "ImageTooLargeException" }),
    );
  });
});
