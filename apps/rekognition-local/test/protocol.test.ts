/**
 * The wire protocol through the official SDK over HTTP, on the load-test engine (one fake face per image,
 * derived from its bytes): collections, errors, paging, deletes, faults, persistence. Face semantics
 * (who matches whom) are in face-search.test.ts on the neural engine.
 */
import {
  CreateCollectionCommand,
  DeleteCollectionCommand,
  DeleteFacesCommand,
  DescribeCollectionCommand,
  IndexFacesCommand,
  ListCollectionsCommand,
  ListFacesCommand,
} from "@aws-sdk/client-rekognition";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { facePhoto, uniqueName } from "@faceindex/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf } from "./sdk-error.ts";
import { rawCall, startTestStack, type TestStack } from "./test-stack.ts";

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ engine: "load-test" });
});

afterAll(async () => {
  await stack?.close();
});

async function newCollection(): Promise<string> {
  const id = uniqueName("protocol");
  await stack.rekognition.send(new CreateCollectionCommand({ CollectionId: id }));
  return id;
}

/** A distinct valid JPEG per call: the load-test engine derives the face from the bytes. */
function distinctJpeg(n: number): Uint8Array {
  return Buffer.concat([facePhoto("same/obama_1.jpg"), Buffer.from(`trailer-${n}`)]);
}

describe("collections", () => {
  it("creates, describes, lists and deletes a collection", async () => {
    const id = uniqueName("protocol");
    const created = await stack.rekognition.send(new CreateCollectionCommand({ CollectionId: id }));
    expect(created.StatusCode).toBe(200);
    expect(created.CollectionArn).toBe(`arn:aws:rekognition:us-east-1:000000000000:collection/${id}`);
    // New collections get the latest face model (FACE_MODEL_VERSION unset).
    expect(created.FaceModelVersion).toBe("8.0");

    const described = await stack.rekognition.send(new DescribeCollectionCommand({ CollectionId: id }));
    expect(described.FaceCount).toBe(0);
    expect(described.CollectionARN).toBe(created.CollectionArn);
    expect(described.CreationTimestamp).toBeInstanceOf(Date);
    expect(Math.abs(described.CreationTimestamp!.getTime() - Date.now())).toBeLessThan(60_000);

    const listed = await stack.rekognition.send(new ListCollectionsCommand({}));
    expect(listed.CollectionIds).toContain(id);

    const deleted = await stack.rekognition.send(new DeleteCollectionCommand({ CollectionId: id }));
    expect(deleted.StatusCode).toBe(200);
    const after = await stack.rekognition.send(new ListCollectionsCommand({}));
    expect(after.CollectionIds).not.toContain(id);
  });

  it("answers ResourceAlreadyExistsException and ResourceNotFoundException", async () => {
    const id = await newCollection();
    const duplicate = await errorOf(stack.rekognition.send(new CreateCollectionCommand({ CollectionId: id })));
    expect(duplicate).toMatchObject({ name: "ResourceAlreadyExistsException", status: 400 });

    const missing = uniqueName("missing");
    for (const command of [
      new DescribeCollectionCommand({ CollectionId: missing }),
      new DeleteCollectionCommand({ CollectionId: missing }),
      new ListFacesCommand({ CollectionId: missing }),
      new IndexFacesCommand({ CollectionId: missing, Image: { Bytes: facePhoto("same/obama_1.jpg") } }),
    ]) {
      const error = await errorOf(stack.rekognition.send(command as never));
      expect(error.name).toBe("ResourceNotFoundException");
      expect(error.message).toContain(missing);
    }
  });

  it("pages ListCollections", async () => {
    const ids = [await newCollection(), await newCollection(), await newCollection()];
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await stack.rekognition.send(new ListCollectionsCommand({ MaxResults: 2, NextToken: token }));
      expect(page.CollectionIds!.length).toBeLessThanOrEqual(2);
      expect(page.FaceModelVersions).toHaveLength(page.CollectionIds!.length);
      seen.push(...page.CollectionIds!);
      token = page.NextToken;
    } while (token);
    expect(seen).toEqual(expect.arrayContaining(ids));
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe("faces", () => {
  it("indexes from Bytes and from an S3Object, and counts the faces", async () => {
    const id = await newCollection();
    const fromBytes = await stack.rekognition.send(
      new IndexFacesCommand({ CollectionId: id, Image: { Bytes: distinctJpeg(1) }, ExternalImageId: "user-1" }),
    );
    expect(fromBytes.FaceRecords).toHaveLength(1);
    const face = fromBytes.FaceRecords![0]!.Face!;
    expect(face.FaceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(face.ImageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(face.ExternalImageId).toBe("user-1");
    expect(fromBytes.FaceRecords![0]!.FaceDetail!.BoundingBox).toEqual(face.BoundingBox);
    expect(fromBytes.FaceModelVersion).toBe("8.0");

    const key = `uploads/${uniqueName("photo")}.jpg`;
    await stack.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: distinctJpeg(2) }));
    const fromS3 = await stack.rekognition.send(
      new IndexFacesCommand({ CollectionId: id, Image: { S3Object: { Bucket: stack.bucket, Name: key } } }),
    );
    expect(fromS3.FaceRecords).toHaveLength(1);
    expect(fromS3.FaceRecords![0]!.Face!.FaceId).not.toBe(face.FaceId);

    const described = await stack.rekognition.send(new DescribeCollectionCommand({ CollectionId: id }));
    expect(described.FaceCount).toBe(2);
  });

  it("returns the existing faces when the same image and ExternalImageId are indexed again", async () => {
    const id = await newCollection();
    const image = { Bytes: distinctJpeg(3) };
    const first = await stack.rekognition.send(
      new IndexFacesCommand({ CollectionId: id, Image: image, ExternalImageId: "kyc-7" }),
    );
    const again = await stack.rekognition.send(
      new IndexFacesCommand({ CollectionId: id, Image: image, ExternalImageId: "kyc-7" }),
    );
    expect(again.FaceRecords!.map((r) => r.Face!.FaceId)).toEqual(first.FaceRecords!.map((r) => r.Face!.FaceId));
    const otherId = await stack.rekognition.send(
      new IndexFacesCommand({ CollectionId: id, Image: image, ExternalImageId: "kyc-8" }),
    );
    expect(otherId.FaceRecords![0]!.Face!.FaceId).not.toBe(first.FaceRecords![0]!.Face!.FaceId);
    const described = await stack.rekognition.send(new DescribeCollectionCommand({ CollectionId: id }));
    expect(described.FaceCount).toBe(2);
  });

  it("pages ListFaces, filters by FaceIds and deletes faces", async () => {
    const id = await newCollection();
    const faceIds: string[] = [];
    for (let n = 0; n < 5; n++) {
      const result = await stack.rekognition.send(
        new IndexFacesCommand({ CollectionId: id, Image: { Bytes: distinctJpeg(100 + n) } }),
      );
      faceIds.push(result.FaceRecords![0]!.Face!.FaceId!);
    }
    const listed: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await stack.rekognition.send(
        new ListFacesCommand({ CollectionId: id, MaxResults: 2, NextToken: token }),
      );
      listed.push(...page.Faces!.map((f) => f.FaceId!));
      token = page.NextToken;
      pages += 1;
    } while (token);
    expect(listed).toEqual(faceIds);
    expect(pages).toBe(3);

    const filtered = await stack.rekognition.send(new ListFacesCommand({ CollectionId: id, FaceIds: [faceIds[3]!] }));
    expect(filtered.Faces!.map((f) => f.FaceId)).toEqual([faceIds[3]]);

    const unknown = "00000000-0000-4000-8000-000000000000";
    const deleted = await stack.rekognition.send(
      new DeleteFacesCommand({ CollectionId: id, FaceIds: [faceIds[0]!, unknown] }),
    );
    expect(deleted.DeletedFaces).toEqual([faceIds[0]]);
    expect(deleted.UnsuccessfulFaceDeletions).toEqual([{ FaceId: unknown, Reasons: ["FACE_NOT_FOUND"] }]);
    const remaining = await stack.rekognition.send(new ListFacesCommand({ CollectionId: id }));
    expect(remaining.Faces!.map((f) => f.FaceId)).toEqual(faceIds.slice(1));

    const badToken = await errorOf(
      stack.rekognition.send(new ListFacesCommand({ CollectionId: id, NextToken: "nonsense" })),
    );
    expect(badToken.name).toBe("InvalidPaginationTokenException");
  });

  it("keeps collections and faces across a restart", async () => {
    const id = await newCollection();
    const indexed = await stack.rekognition.send(
      new IndexFacesCommand({ CollectionId: id, Image: { Bytes: distinctJpeg(7) } }),
    );
    await stack.restart();
    const described = await stack.rekognition.send(new DescribeCollectionCommand({ CollectionId: id }));
    expect(described.FaceCount).toBe(1);
    const faces = await stack.rekognition.send(new ListFacesCommand({ CollectionId: id }));
    expect(faces.Faces!.map((f) => f.FaceId)).toEqual([indexed.FaceRecords![0]!.Face!.FaceId]);
  });
});

describe("bad input", () => {
  it("rejects a bad CollectionId and MaxFaces 0 with the model's constraint messages", async () => {
    const badId = await errorOf(stack.rekognition.send(new CreateCollectionCommand({ CollectionId: "x y" })));
    expect(badId.name).toBe("InvalidParameterException");
    expect(badId.message).toBe(
      "1 validation error detected: Value 'x y' at 'collectionId' failed to satisfy constraint: " +
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.\\-]+",
    );
    const id = await newCollection();
    const maxFaces = await errorOf(
      stack.rekognition.send(
        new IndexFacesCommand({ CollectionId: id, Image: { Bytes: distinctJpeg(9) }, MaxFaces: 0 }),
      ),
    );
    expect(maxFaces.name).toBe("InvalidParameterException");
    expect(maxFaces.message).toContain(
      "at 'maxFaces' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });

  it("accepts a CollectionId of the model's maximum length (255), which does not fit a file name as is", async () => {
    const id = `${uniqueName("long")}-`.padEnd(255, "x");
    const created = await stack.rekognition.send(new CreateCollectionCommand({ CollectionId: id }));
    expect(created.StatusCode).toBe(200);
    await stack.rekognition.send(new IndexFacesCommand({ CollectionId: id, Image: { Bytes: distinctJpeg(255) } }));
    expect((await stack.rekognition.send(new DescribeCollectionCommand({ CollectionId: id }))).FaceCount).toBe(1);
    expect((await stack.rekognition.send(new DeleteCollectionCommand({ CollectionId: id }))).StatusCode).toBe(200);
  });

  it("rejects images that are not JPEG or PNG, too large, or missing in S3", async () => {
    const id = await newCollection();
    const gif = await errorOf(
      stack.rekognition.send(
        new IndexFacesCommand({ CollectionId: id, Image: { Bytes: Buffer.from("GIF89a not really an image") } }),
      ),
    );
    expect(gif).toMatchObject({ name: "InvalidImageFormatException", status: 400 });

    const tooLarge = Buffer.concat([facePhoto("same/obama_1.jpg"), Buffer.alloc(5 * 1024 * 1024)]);
    const large = await errorOf(
      stack.rekognition.send(new IndexFacesCommand({ CollectionId: id, Image: { Bytes: tooLarge } })),
    );
    expect(large).toMatchObject({ name: "ImageTooLargeException", status: 400 });

    const missingKey = await errorOf(
      stack.rekognition.send(
        new IndexFacesCommand({ CollectionId: id, Image: { S3Object: { Bucket: stack.bucket, Name: "nope.jpg" } } }),
      ),
    );
    expect(missingKey.name).toBe("InvalidS3ObjectException");
    const missingBucket = await errorOf(
      stack.rekognition.send(
        new IndexFacesCommand({
          CollectionId: id,
          Image: { S3Object: { Bucket: uniqueName("nobucket"), Name: "a.jpg" } },
        }),
      ),
    );
    expect(missingBucket.name).toBe("InvalidS3ObjectException");
  });

  it("answers malformed JSON, unknown operations and a missing member in AWS's error format", async () => {
    const notAnObject = await rawCall(stack.rekognitionUrl, "RekognitionService.CreateCollection", "null");
    expect(notAnObject.json.__type).toBe("SerializationException");

    const malformed = await rawCall(stack.rekognitionUrl, "RekognitionService.CreateCollection", "{not json");
    expect(malformed.status).toBe(400);
    expect(malformed.json.__type).toBe("SerializationException");
    expect(malformed.headers.get("x-amzn-errortype")).toBe("SerializationException");
    expect(malformed.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);

    const unknown = await rawCall(stack.rekognitionUrl, "RekognitionService.DetectCats", "{}");
    expect(unknown.status).toBe(400);
    expect(unknown.json.__type).toBe("UnknownOperationException");

    const missing = await rawCall(stack.rekognitionUrl, "RekognitionService.IndexFaces", "{}");
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({
      __type: "InvalidParameterException",
      Message:
        "2 validation errors detected: Value null at 'collectionId' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'image' failed to satisfy constraint: Member must not be null",
    });
  });
});
