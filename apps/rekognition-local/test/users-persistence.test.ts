/**
 * Users through the official SDK on the load-test engine (one fake face per image, so 101 faces are cheap):
 * the 100-faces quota, and users, their faces and their status surviving a restart (snapshot + journal).
 */
import {
  AssociateFacesCommand,
  CreateCollectionCommand,
  CreateUserCommand,
  IndexFacesCommand,
  ListFacesCommand,
  ListUsersCommand,
} from "@aws-sdk/client-rekognition";
import { facePhoto, uniqueName } from "@faceindex/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf } from "./sdk-error.ts";
import { startTestStack, type TestStack } from "./test-stack.ts";

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ engine: "load-test" });
});

afterAll(async () => {
  await stack?.close();
});

/** Indexes `count` distinct images (a real JPEG with a different trailer each: fake faces differ) and returns the face ids. */
async function indexFaces(CollectionId: string, count: number): Promise<string[]> {
  const photo = facePhoto("same/obama_1.jpg");
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const indexed = await stack.rekognition.send(
      new IndexFacesCommand({ CollectionId, Image: { Bytes: Buffer.concat([photo, Buffer.from(`trailer-${i}`)]) } }),
    );
    ids.push(indexed.FaceRecords![0]!.Face!.FaceId!);
  }
  return ids;
}

describe("users", () => {
  it("holds at most 100 faces per user (ServiceQuotaExceededException), leaving the user unchanged", async () => {
    const CollectionId = uniqueName("quota");
    await stack.rekognition.send(new CreateCollectionCommand({ CollectionId }));
    await stack.rekognition.send(new CreateUserCommand({ CollectionId, UserId: "u" }));
    const faces = await indexFaces(CollectionId, 101);
    // Fake faces do not resemble each other: threshold 0 so that only the quota can refuse.
    const associate = (FaceIds: string[]) =>
      stack.rekognition.send(new AssociateFacesCommand({ CollectionId, UserId: "u", FaceIds, UserMatchThreshold: 0 }));
    expect((await associate(faces.slice(0, 100))).AssociatedFaces).toHaveLength(100);
    expect((await errorOf(associate(faces.slice(100)))).name).toBe("ServiceQuotaExceededException");
    const listed = await stack.rekognition.send(new ListFacesCommand({ CollectionId, UserId: "u" }));
    expect(listed.Faces).toHaveLength(100);
  });

  it("keeps users and their faces across a restart", async () => {
    const CollectionId = uniqueName("restart");
    await stack.rekognition.send(new CreateCollectionCommand({ CollectionId }));
    const faces = await indexFaces(CollectionId, 3);
    await stack.rekognition.send(new CreateUserCommand({ CollectionId, UserId: "person:1" }));
    await stack.rekognition.send(new CreateUserCommand({ CollectionId, UserId: "person:2" }));
    await stack.rekognition.send(
      new AssociateFacesCommand({
        CollectionId,
        UserId: "person:1",
        FaceIds: faces.slice(0, 2),
        UserMatchThreshold: 0,
      }),
    );
    await stack.restart();
    const users = await stack.rekognition.send(new ListUsersCommand({ CollectionId }));
    expect(users.Users).toEqual([
      { UserId: "person:1", UserStatus: "ACTIVE" },
      { UserId: "person:2", UserStatus: "CREATED" },
    ]);
    const listed = await stack.rekognition.send(new ListFacesCommand({ CollectionId, UserId: "person:1" }));
    expect(listed.Faces!.map((face) => face.FaceId)).toEqual(faces.slice(0, 2));
    // Restarted twice: the second start reads the snapshot written at the first clean shutdown.
    await stack.restart();
    const again = await stack.rekognition.send(new ListFacesCommand({ CollectionId, UserId: "person:1" }));
    expect(again.Faces).toHaveLength(2);
  });

  it("pages ListUsers with MaxResults and NextToken", async () => {
    const CollectionId = uniqueName("paging");
    await stack.rekognition.send(new CreateCollectionCommand({ CollectionId }));
    for (const UserId of ["c", "a", "b"]) await stack.rekognition.send(new CreateUserCommand({ CollectionId, UserId }));
    const first = await stack.rekognition.send(new ListUsersCommand({ CollectionId, MaxResults: 2 }));
    expect(first.Users!.map((u) => u.UserId)).toEqual(["a", "b"]);
    const second = await stack.rekognition.send(
      new ListUsersCommand({ CollectionId, MaxResults: 2, NextToken: first.NextToken! }),
    );
    expect(second.Users!.map((u) => u.UserId)).toEqual(["c"]);
    expect(second.NextToken).toBeUndefined();
  });
});
