/**
 * The seven Users operations on the real neural engine, through the official SDK: a person's faces grouped
 * in a user, matched by another photo, refused when they are someone else's, and AWS's errors.
 */
import {
  AssociateFacesCommand,
  CreateCollectionCommand,
  CreateUserCommand,
  DeleteFacesCommand,
  DeleteUserCommand,
  DescribeCollectionCommand,
  DisassociateFacesCommand,
  IndexFacesCommand,
  ListFacesCommand,
  ListUsersCommand,
  SearchUsersByImageCommand,
  SearchUsersCommand,
} from "@aws-sdk/client-rekognition";
import { facePhoto, uniqueName } from "@faceindex/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf } from "./sdk-error.ts";
import { startTestStack, type TestStack } from "./test-stack.ts";

let stack: TestStack;
let CollectionId: string;
const faceIds: Record<string, string> = {};

beforeAll(async () => {
  stack = await startTestStack({ engine: "neural" });
  CollectionId = uniqueName("users");
  await stack.rekognition.send(new CreateCollectionCommand({ CollectionId }));
  for (const name of ["obama_1", "obama_2", "biden_1", "biden_2"]) {
    const indexed = await stack.rekognition.send(
      new IndexFacesCommand({ CollectionId, Image: { Bytes: facePhoto(`same/${name}.jpg`) }, ExternalImageId: name }),
    );
    faceIds[name] = indexed.FaceRecords![0]!.Face!.FaceId!;
  }
  await stack.rekognition.send(new CreateUserCommand({ CollectionId, UserId: "obama" }));
  await stack.rekognition.send(new CreateUserCommand({ CollectionId, UserId: "biden" }));
});

afterAll(async () => {
  await stack?.close();
});

describe("CreateUser and ListUsers", () => {
  it("lists a new user as CREATED and refuses a second user with the same id", async () => {
    await stack.rekognition.send(new CreateUserCommand({ CollectionId, UserId: "empty" }));
    const listed = await stack.rekognition.send(new ListUsersCommand({ CollectionId }));
    expect(listed.Users).toContainEqual({ UserId: "empty", UserStatus: "CREATED" });
    const again = await errorOf(stack.rekognition.send(new CreateUserCommand({ CollectionId, UserId: "empty" })));
    expect(again.name).toBe("ConflictException");
    await stack.rekognition.send(new DeleteUserCommand({ CollectionId, UserId: "empty" }));
  });

  it("validates UserId against the model's pattern, and the collection's existence", async () => {
    const bad = await errorOf(stack.rekognition.send(new CreateUserCommand({ CollectionId, UserId: "a b" })));
    expect(bad).toMatchObject({ name: "InvalidParameterException", status: 400 });
    expect(bad.message).toContain("Value 'a b' at 'userId' failed to satisfy constraint");
    const missing = await errorOf(
      stack.rekognition.send(new CreateUserCommand({ CollectionId: uniqueName("none"), UserId: "x" })),
    );
    expect(missing.name).toBe("ResourceNotFoundException");
  });
});

describe("AssociateFaces", () => {
  it("associates a person's faces, refuses another person's face and unknown faces", async () => {
    const first = await stack.rekognition.send(
      new AssociateFacesCommand({ CollectionId, UserId: "obama", FaceIds: [faceIds.obama_1!] }),
    );
    expect(first.AssociatedFaces).toEqual([{ FaceId: faceIds.obama_1 }]);
    expect(first.UserStatus).toBe("ACTIVE");
    const unknown = "00000000-0000-4000-8000-000000000000";
    const more = await stack.rekognition.send(
      new AssociateFacesCommand({
        CollectionId,
        UserId: "obama",
        FaceIds: [faceIds.obama_2!, faceIds.biden_1!, unknown],
      }),
    );
    expect(more.AssociatedFaces).toEqual([{ FaceId: faceIds.obama_2 }]);
    const biden = more.UnsuccessfulFaceAssociations!.find((u) => u.FaceId === faceIds.biden_1);
    expect(biden?.Reasons).toEqual(["LOW_MATCH_CONFIDENCE"]);
    expect(biden?.Confidence).toBeLessThan(75);
    expect(more.UnsuccessfulFaceAssociations).toContainEqual({ FaceId: unknown, Reasons: ["FACE_NOT_FOUND"] });

    await stack.rekognition.send(
      new AssociateFacesCommand({ CollectionId, UserId: "biden", FaceIds: [faceIds.biden_1!, faceIds.biden_2!] }),
    );
    const taken = await stack.rekognition.send(
      new AssociateFacesCommand({ CollectionId, UserId: "obama", FaceIds: [faceIds.biden_2!], UserMatchThreshold: 0 }),
    );
    expect(taken.UnsuccessfulFaceAssociations).toEqual([
      { FaceId: faceIds.biden_2, UserId: "biden", Reasons: ["ASSOCIATED_TO_A_DIFFERENT_USER"] },
    ]);
  });

  it("answers a retry with the same ClientRequestToken the same way, and a reused token with other faces with a mismatch", async () => {
    await stack.rekognition.send(new CreateUserCommand({ CollectionId, UserId: "retry" }));
    const token = uniqueName("token");
    const call = (FaceIds: string[]) =>
      stack.rekognition.send(
        new AssociateFacesCommand({ CollectionId, UserId: "retry", FaceIds, ClientRequestToken: token }),
      );
    // obama_1 is obama's: refused now; the retry must give the same answer, not a different one.
    const once = await call([faceIds.obama_1!]);
    const twice = await call([faceIds.obama_1!]);
    expect(twice.UnsuccessfulFaceAssociations).toEqual(once.UnsuccessfulFaceAssociations);
    expect((await errorOf(call([faceIds.biden_1!]))).name).toBe("IdempotentParameterMismatchException");
    await stack.rekognition.send(new DeleteUserCommand({ CollectionId, UserId: "retry" }));
  });
});

describe("SearchUsersByImage and SearchUsers", () => {
  it("finds the person from a photo not associated, above the default threshold of 80, and not the other", async () => {
    const found = await stack.rekognition.send(
      new SearchUsersByImageCommand({ CollectionId, Image: { Bytes: facePhoto("same/obama_3.jpg") } }),
    );
    expect(found.UserMatches!.map((m) => m.User!.UserId)).toEqual(["obama"]);
    expect(found.UserMatches![0]!.Similarity).toBeGreaterThanOrEqual(80);
    expect(found.UserMatches![0]!.User!.UserStatus).toBe("ACTIVE");
    expect(found.SearchedFace?.FaceDetail?.BoundingBox).toBeDefined();
  });

  it("searches with the largest face of a group photo and lists the others as FACE_NOT_LARGEST", async () => {
    const found = await stack.rekognition.send(
      new SearchUsersByImageCommand({ CollectionId, Image: { Bytes: facePhoto("group/whitehouse_obama_biden.jpg") } }),
    );
    expect(found.UnsearchedFaces!.length).toBeGreaterThan(0);
    expect(found.UnsearchedFaces!.every((face) => face.Reasons!.includes("FACE_NOT_LARGEST"))).toBe(true);
  });

  it("answers InvalidParameterException for an image with no face", async () => {
    const none = await errorOf(
      stack.rekognition.send(
        new SearchUsersByImageCommand({ CollectionId, Image: { Bytes: facePhoto("noface/gradient.jpg") } }),
      ),
    );
    expect(none.name).toBe("InvalidParameterException");
  });

  it("finds a face's own user through its other faces, and no other user for a user's faces", async () => {
    const byFace = await stack.rekognition.send(new SearchUsersCommand({ CollectionId, FaceId: faceIds.obama_1! }));
    expect(byFace.SearchedFace).toEqual({ FaceId: faceIds.obama_1 });
    expect(byFace.UserMatches!.map((m) => m.User!.UserId)).toEqual(["obama"]);
    const byUser = await stack.rekognition.send(new SearchUsersCommand({ CollectionId, UserId: "obama" }));
    expect(byUser.SearchedUser).toEqual({ UserId: "obama" });
    expect(byUser.UserMatches).toEqual([]);
    const both = await errorOf(
      stack.rekognition.send(new SearchUsersCommand({ CollectionId, UserId: "obama", FaceId: faceIds.obama_1! })),
    );
    expect(both.name).toBe("InvalidParameterException");
  });
});

describe("faces of users", () => {
  it("lists a user's faces with their UserId, counts users, and keeps an associated face from DeleteFaces", async () => {
    const listed = await stack.rekognition.send(new ListFacesCommand({ CollectionId, UserId: "obama" }));
    expect(listed.Faces!.map((f) => [f.FaceId, f.UserId])).toEqual([
      [faceIds.obama_1, "obama"],
      [faceIds.obama_2, "obama"],
    ]);
    const described = await stack.rekognition.send(new DescribeCollectionCommand({ CollectionId }));
    expect(described.UserCount).toBe(2);
    const deleted = await stack.rekognition.send(new DeleteFacesCommand({ CollectionId, FaceIds: [faceIds.obama_2!] }));
    expect(deleted.DeletedFaces).toEqual([]);
    expect(deleted.UnsuccessfulFaceDeletions).toEqual([
      { FaceId: faceIds.obama_2, UserId: "obama", Reasons: ["ASSOCIATED_TO_AN_EXISTING_USER"] },
    ]);
  });

  it("disassociates faces, and DeleteUser frees the rest, which stay in the collection", async () => {
    const out = await stack.rekognition.send(
      new DisassociateFacesCommand({ CollectionId, UserId: "obama", FaceIds: [faceIds.obama_2!, faceIds.biden_1!] }),
    );
    expect(out.DisassociatedFaces).toEqual([{ FaceId: faceIds.obama_2 }]);
    expect(out.UnsuccessfulFaceDisassociations).toEqual([
      { FaceId: faceIds.biden_1, UserId: "biden", Reasons: ["ASSOCIATED_TO_A_DIFFERENT_USER"] },
    ]);
    await stack.rekognition.send(new DeleteUserCommand({ CollectionId, UserId: "obama" }));
    const gone = await errorOf(stack.rekognition.send(new DeleteUserCommand({ CollectionId, UserId: "obama" })));
    expect(gone.name).toBe("ResourceNotFoundException");
    const face = await stack.rekognition.send(new ListFacesCommand({ CollectionId, FaceIds: [faceIds.obama_1!] }));
    expect(face.Faces![0]!.UserId).toBeUndefined();
    const deleted = await stack.rekognition.send(new DeleteFacesCommand({ CollectionId, FaceIds: [faceIds.obama_1!] }));
    expect(deleted.DeletedFaces).toEqual([faceIds.obama_1]);
  });
});
