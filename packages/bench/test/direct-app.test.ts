import type { AddressInfo } from "node:net";
import { RekognitionClient } from "@aws-sdk/client-rekognition";
import { S3Client } from "@aws-sdk/client-s3";
import { facePhoto } from "@faceindex/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signBenchToken } from "../src/bench-token.ts";
import { buildDirectApp } from "../src/direct/direct-app.ts";
import { createStandInServer } from "../src/stand-in/stand-in-server.ts";

const secret = "a-test-secret-of-at-least-32-characters";
const { server, stats } = createStandInServer();
let app: ReturnType<typeof buildDirectApp>;
let clients: { s3: S3Client; rekognition: RekognitionClient };

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const credentials = { accessKeyId: "bench", secretAccessKey: "bench" };
  clients = {
    s3: new S3Client({ region: "us-east-1", endpoint, credentials, forcePathStyle: true }),
    rekognition: new RekognitionClient({ region: "us-east-1", endpoint, credentials }),
  };
  app = buildDirectApp({ jwtSecret: secret, ...clients, collectionId: "direct-test" });
});

afterAll(async () => {
  await app.close();
  clients.s3.destroy();
  clients.rekognition.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const body = {
  image: facePhoto("same/obama_1.jpg").toString("base64"),
  bucket: "bench-bucket",
  image_key: "selfies/one.jpg",
  external_image_id: "user-1",
};

describe("the direct baseline", () => {
  it("stores the image, indexes it and answers the API's 200 shape", async () => {
    const token = await signBenchToken(secret, "tester");
    const response = await app.inject({
      method: "POST",
      url: "/index_faces",
      headers: { authorization: `Bearer ${token}` },
      payload: body,
    });
    expect(response.statusCode).toBe(200);
    const answer = response.json<{ success: boolean; data: Record<string, unknown> }>();
    expect(answer.success).toBe(true);
    expect(answer.data).toMatchObject({
      external_image_id: "user-1",
      collection_id: "direct-test",
      s3: { bucket: "bench-bucket", key: "selfies/one.jpg" },
    });
    expect(answer.data.face_id).toEqual(expect.any(String));
    expect(stats.putObject).toBe(1);
    expect(stats.indexFaces).toBe(1);
  });

  it("refuses a token signed with another secret before doing any work", async () => {
    const token = await signBenchToken("another-secret-of-at-least-32-characters", "tester");
    const response = await app.inject({
      method: "POST",
      url: "/index_faces",
      headers: { authorization: `Bearer ${token}` },
      payload: body,
    });
    expect(response.statusCode).toBe(401);
    expect(stats.putObject).toBe(1);
  });
});
