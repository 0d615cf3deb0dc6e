/**
 * Face semantics on the real neural engine, through the official SDK: the same person is found from
 * another photo, a different person is not, and detection, comparison and MaxFaces behave as in AWS.
 */
import {
  CompareFacesCommand,
  CreateCollectionCommand,
  DetectFacesCommand,
  IndexFacesCommand,
  SearchFacesByImageCommand,
  SearchFacesCommand,
} from "@aws-sdk/client-rekognition";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { facePhoto, uniqueName } from "@faceindex/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf } from "./sdk-error.ts";
import { startTestStack, type TestStack } from "./test-stack.ts";

let stack: TestStack;
let collectionId: string;
let obamaFaceId: string;
let bidenFaceId: string;
let biden2FaceId: string;

const photo = (name: string) => ({ Bytes: facePhoto(name) });

beforeAll(async () => {
  stack = await startTestStack({ engine: "neural" });
  collectionId = uniqueName("faces");
  await stack.rekognition.send(new CreateCollectionCommand({ CollectionId: collectionId }));

  // Obama from S3, as the worker does; Biden (two photos) from Bytes.
  await stack.s3.send(
    new PutObjectCommand({ Bucket: stack.bucket, Key: "obama_1.jpg", Body: facePhoto("same/obama_1.jpg") }),
  );
  const obama = await stack.rekognition.send(
    new IndexFacesCommand({
      CollectionId: collectionId,
      Image: { S3Object: { Bucket: stack.bucket, Name: "obama_1.jpg" } },
      ExternalImageId: "obama",
    }),
  );
  obamaFaceId = obama.FaceRecords![0]!.Face!.FaceId!;
  const biden = await stack.rekognition.send(
    new IndexFacesCommand({ CollectionId: collectionId, Image: photo("same/biden_1.jpg"), ExternalImageId: "biden" }),
  );
  bidenFaceId = biden.FaceRecords![0]!.Face!.FaceId!;
  const biden2 = await stack.rekognition.send(
    new IndexFacesCommand({ CollectionId: collectionId, Image: photo("same/biden_2.jpg"), ExternalImageId: "biden" }),
  );
  biden2FaceId = biden2.FaceRecords![0]!.Face!.FaceId!;
});

afterAll(async () => {
  await stack?.close();
});

describe("IndexFaces", () => {
  it("indexes one face per portrait, with details and no unindexed faces", async () => {
    const result = await stack.rekognition.send(
      new IndexFacesCommand({ CollectionId: collectionId, Image: photo("people/B001232.jpg") }),
    );
    expect(result.FaceRecords).toHaveLength(1);
    expect(result.UnindexedFaces).toEqual([]);
    const detail = result.FaceRecords![0]!.FaceDetail!;
    expect(detail.Confidence).toBeGreaterThan(90);
    expect(detail.Landmarks!.map((l) => l.Type)).toEqual(expect.arrayContaining(["eyeLeft", "eyeRight", "nose"]));
    expect(detail.Pose).toHaveProperty("Yaw");
    expect(detail.Quality!.Sharpness).toBeGreaterThan(0);
    const box = detail.BoundingBox!;
    expect(box.Left! + box.Width!).toBeLessThanOrEqual(1.01);
  });

  it("keeps the largest face of a group photo with MaxFaces 1 and reports the other", async () => {
    const result = await stack.rekognition.send(
      new IndexFacesCommand({
        CollectionId: collectionId,
        Image: photo("group/whitehouse_obama_biden.jpg"),
        MaxFaces: 1,
        ExternalImageId: "group",
      }),
    );
    expect(result.FaceRecords).toHaveLength(1);
    expect(result.UnindexedFaces).toHaveLength(1);
    expect(result.UnindexedFaces![0]!.Reasons).toEqual(["EXCEEDS_MAX_FACES"]);
    const kept = result.FaceRecords![0]!.FaceDetail!.BoundingBox!;
    const dropped = result.UnindexedFaces![0]!.FaceDetail!.BoundingBox!;
    expect(kept.Width! * kept.Height!).toBeGreaterThanOrEqual(dropped.Width! * dropped.Height!);
  });

  it("answers 200 with no FaceRecords for an image without a face", async () => {
    const result = await stack.rekognition.send(
      new IndexFacesCommand({ CollectionId: collectionId, Image: photo("noface/gradient.jpg") }),
    );
    expect(result.FaceRecords).toEqual([]);
    expect(result.UnindexedFaces).toEqual([]);
  });

  it("returns the same faces when the same image is indexed again with the same ExternalImageId", async () => {
    const again = await stack.rekognition.send(
      new IndexFacesCommand({ CollectionId: collectionId, Image: photo("same/biden_1.jpg"), ExternalImageId: "biden" }),
    );
    expect(again.FaceRecords!.map((r) => r.Face!.FaceId)).toEqual([bidenFaceId]);
  });
});

describe("search", () => {
  it("finds the same person from a different photo", async () => {
    const result = await stack.rekognition.send(
      new SearchFacesByImageCommand({ CollectionId: collectionId, Image: photo("same/obama_2.jpg") }),
    );
    expect(result.SearchedFaceConfidence).toBeGreaterThan(90);
    expect(result.SearchedFaceBoundingBox!.Width).toBeGreaterThan(0);
    expect(result.FaceMatches![0]!.Face!.FaceId).toBe(obamaFaceId);
    const obamaMatch = result.FaceMatches!.find((m) => m.Face!.FaceId === obamaFaceId);
    expect(obamaMatch?.Similarity).toBeGreaterThanOrEqual(80);
    expect(obamaMatch?.Face!.ExternalImageId).toBe("obama");
    expect(result.FaceMatches!.map((m) => m.Face!.ExternalImageId)).not.toContain("biden");
    const similarities = result.FaceMatches!.map((m) => m.Similarity!);
    expect(similarities).toEqual([...similarities].sort((a, b) => b - a));
  });

  it("does not match a different person", async () => {
    const result = await stack.rekognition.send(
      new SearchFacesByImageCommand({ CollectionId: collectionId, Image: photo("same/obama_3.jpg"), MaxFaces: 10 }),
    );
    expect(result.FaceMatches!.map((m) => m.Face!.FaceId)).not.toContain(bidenFaceId);
    const stranger = await stack.rekognition.send(
      new SearchFacesByImageCommand({ CollectionId: collectionId, Image: photo("people/nasa_eileen_collins.jpg") }),
    );
    expect(stranger.FaceMatches!.map((m) => m.Face!.ExternalImageId)).not.toContain("obama");
    expect(stranger.FaceMatches!.map((m) => m.Face!.ExternalImageId)).not.toContain("biden");
  });

  it("searches by FaceId, leaving the face itself out", async () => {
    const result = await stack.rekognition.send(
      new SearchFacesCommand({ CollectionId: collectionId, FaceId: bidenFaceId }),
    );
    expect(result.SearchedFaceId).toBe(bidenFaceId);
    const ids = result.FaceMatches!.map((m) => m.Face!.FaceId);
    expect(ids).toContain(biden2FaceId);
    expect(ids).not.toContain(bidenFaceId);
    expect(ids).not.toContain(obamaFaceId);
  });

  it("answers InvalidParameterException when the searched image has no face", async () => {
    const error = await errorOf(
      stack.rekognition.send(
        new SearchFacesByImageCommand({ CollectionId: collectionId, Image: photo("noface/rocket_crop.jpg") }),
      ),
    );
    expect(error).toEqual({
      name: "InvalidParameterException",
      message: "There are no faces in the image. Should be at least 1.",
      status: 400,
    });
  });
});

describe("DetectFaces and CompareFaces", () => {
  it("detects both faces of a group photo and none in a gradient", async () => {
    const group = await stack.rekognition.send(
      new DetectFacesCommand({ Image: photo("group/whitehouse_obama_biden.jpg") }),
    );
    expect(group.FaceDetails).toHaveLength(2);
    const none = await stack.rekognition.send(new DetectFacesCommand({ Image: photo("noface/gradient.jpg") }));
    expect(none.FaceDetails).toEqual([]);
  });

  it("matches the source face against every face of the target", async () => {
    const same = await stack.rekognition.send(
      new CompareFacesCommand({ SourceImage: photo("same/A000371_1.jpg"), TargetImage: photo("same/A000371_2.jpg") }),
    );
    expect(same.FaceMatches).toHaveLength(1);
    expect(same.FaceMatches![0]!.Similarity).toBeGreaterThanOrEqual(80);
    expect(same.UnmatchedFaces).toEqual([]);
    expect(same.SourceImageFace!.Confidence).toBeGreaterThan(90);

    const different = await stack.rekognition.send(
      new CompareFacesCommand({ SourceImage: photo("same/B001230_1.jpg"), TargetImage: photo("same/A000371_1.jpg") }),
    );
    expect(different.FaceMatches).toEqual([]);
    expect(different.UnmatchedFaces).toHaveLength(1);

    const group = await stack.rekognition.send(
      new CompareFacesCommand({
        SourceImage: photo("same/biden_2.jpg"),
        TargetImage: photo("group/whitehouse_obama_biden.jpg"),
      }),
    );
    expect(group.FaceMatches!.length + group.UnmatchedFaces!.length).toBe(2);
  });

  it("answers InvalidParameterException when the source image has no face", async () => {
    const error = await errorOf(
      stack.rekognition.send(
        new CompareFacesCommand({ SourceImage: photo("noface/gradient.jpg"), TargetImage: photo("same/obama_1.jpg") }),
      ),
    );
    expect(error.name).toBe("InvalidParameterException");
  });
});
