/**
 * A collection of face model 7.0 (created before 8.0, or with FACE_MODEL_VERSION=7.0) on the real neural engine,
 * through the official SDK: every operation that analyses an image describes it with the collection's own model,
 * so indexing, face search and user search work and report 7.0. Were a probe described with 8.0, its 512 values
 * could not be compared with the collection's 128 (the index refuses them: an InternalServerError).
 */
import {
  AssociateFacesCommand,
  CreateCollectionCommand,
  CreateUserCommand,
  DescribeCollectionCommand,
  IndexFacesCommand,
  SearchFacesByImageCommand,
  SearchUsersByImageCommand,
} from "@aws-sdk/client-rekognition";
import { FACE_MODEL_7 } from "@faceindex/face-engine";
import { facePhoto, uniqueName } from "@faceindex/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "./test-stack.ts";

let stack: TestStack;
let CollectionId: string;
const photo = (name: string) => ({ Bytes: facePhoto(name) });

beforeAll(async () => {
  stack = await startTestStack({ engine: "neural", faceModel: FACE_MODEL_7 });
  CollectionId = uniqueName("seven");
  const created = await stack.rekognition.send(new CreateCollectionCommand({ CollectionId }));
  expect(created.FaceModelVersion).toBe("7.0");
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe("a face model 7.0 collection", () => {
  it("indexes, finds the same person from another photo and a user by image, all in 7.0", async () => {
    const index = async (file: string, ExternalImageId: string) => {
      const indexed = await stack.rekognition.send(
        new IndexFacesCommand({ CollectionId, Image: photo(file), ExternalImageId, MaxFaces: 1 }),
      );
      expect(indexed.FaceModelVersion).toBe("7.0");
      return indexed.FaceRecords![0]!.Face!.FaceId!;
    };
    const obama = await index("same/obama_1.jpg", "obama");
    await index("same/biden_1.jpg", "biden");
    const described = await stack.rekognition.send(new DescribeCollectionCommand({ CollectionId }));
    expect(described).toMatchObject({ FaceModelVersion: "7.0", FaceCount: 2 });

    const search = await stack.rekognition.send(
      new SearchFacesByImageCommand({ CollectionId, Image: photo("same/obama_2.jpg") }),
    );
    expect(search.FaceModelVersion).toBe("7.0");
    expect(search.FaceMatches!.map((m) => m.Face!.ExternalImageId)).toEqual(["obama"]);
    expect(search.FaceMatches![0]!.Similarity).toBeGreaterThanOrEqual(80);

    await stack.rekognition.send(new CreateUserCommand({ CollectionId, UserId: "obama" }));
    await stack.rekognition.send(new AssociateFacesCommand({ CollectionId, UserId: "obama", FaceIds: [obama] }));
    const users = await stack.rekognition.send(
      new SearchUsersByImageCommand({ CollectionId, Image: photo("same/obama_2.jpg") }),
    );
    expect(users.FaceModelVersion).toBe("7.0");
    expect(users.UserMatches!.map((m) => m.User!.UserId)).toEqual(["obama"]);
  });
});
