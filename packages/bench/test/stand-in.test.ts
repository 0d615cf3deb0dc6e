import type { AddressInfo } from "node:net";
import { CreateCollectionCommand, IndexFacesCommand, RekognitionClient } from "@aws-sdk/client-rekognition";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStandInServer } from "../src/stand-in/stand-in-server.ts";
import { readStandInStats } from "../src/stand-in/stand-in-stats.ts";

const { server } = createStandInServer();
let endpoint = "";
const credentials = { accessKeyId: "bench", secretAccessKey: "bench" };
let s3: S3Client;
let rekognition: RekognitionClient;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The worker's settings for a local S3: path style, no aws-chunked checksums.
  s3 = new S3Client({
    region: "us-east-1",
    endpoint,
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
  });
  rekognition = new RekognitionClient({ region: "us-east-1", endpoint, credentials });
});

afterAll(async () => {
  s3.destroy();
  rekognition.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("the S3 and Rekognition stand-in, through the official SDK", () => {
  it("answers a PUT with a fresh ETag and counts it", async () => {
    const first = await s3.send(new PutObjectCommand({ Bucket: "b", Key: "k/1.jpg", Body: Buffer.alloc(200_000, 1) }));
    const second = await s3.send(new PutObjectCommand({ Bucket: "b", Key: "k/2.jpg", Body: Buffer.from("x") }));
    expect(first.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(second.ETag).not.toBe(first.ETag);
    expect((await readStandInStats(endpoint)).putObject).toBe(2);
  });

  it("creates collections and indexes one face under the caller's external id", async () => {
    const created = await rekognition.send(new CreateCollectionCommand({ CollectionId: "c1" }));
    expect(created.StatusCode).toBe(200);
    const indexed = await rekognition.send(
      new IndexFacesCommand({
        CollectionId: "c1",
        Image: { S3Object: { Bucket: "b", Name: "k/1.jpg" } },
        ExternalImageId: "person-7",
      }),
    );
    expect(indexed.FaceRecords).toHaveLength(1);
    expect(indexed.FaceRecords?.[0]?.Face?.ExternalImageId).toBe("person-7");
    expect(indexed.FaceRecords?.[0]?.Face?.FaceId).toMatch(/^[0-9a-f-]{36}$/);
    const stats = await readStandInStats(endpoint);
    expect(stats.indexFaces).toBe(1);
    expect(stats.other.CreateCollection).toBe(1);
  });

  it("refuses an operation it does not serve with AWS's error, so a missed call is visible", async () => {
    const { SearchFacesCommand } = await import("@aws-sdk/client-rekognition");
    await expect(rekognition.send(new SearchFacesCommand({ CollectionId: "c1", FaceId: "x" }))).rejects.toMatchObject({
      name: "UnknownOperationException",
    });
    expect((await readStandInStats(endpoint)).other.SearchFaces).toBe(1);
  });
});
