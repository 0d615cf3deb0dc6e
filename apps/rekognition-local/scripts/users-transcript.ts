/**
 * A transcript of the seven Users operations from the official SDK (@aws-sdk/client-rekognition) against this
 * server on the neural engine: each request and its response, as printed in README.md.
 * Usage: pnpm --filter @faceindex/rekognition-local exec tsx scripts/users-transcript.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AssociateFacesCommand,
  CreateCollectionCommand,
  CreateUserCommand,
  DeleteUserCommand,
  DisassociateFacesCommand,
  IndexFacesCommand,
  ListUsersCommand,
  SearchUsersByImageCommand,
  SearchUsersCommand,
} from "@aws-sdk/client-rekognition";
import { createFaceEngine } from "@faceindex/face-engine";
import { facePhoto, localRekognitionClient, localS3Client } from "@faceindex/testing";
import { startRekognitionServer } from "../src/server.ts";

const dataDir = mkdtempSync(join(tmpdir(), "users-transcript-"));
const engine = await createFaceEngine({ mode: "neural", threads: 1, log: () => {} });
// Images go as Bytes only: port 9 (discard) so a stray S3Object call fails at once.
const server = await startRekognitionServer({ engine, dataDir, s3: localS3Client("http://127.0.0.1:9"), port: 0 });
const client = localRekognitionClient(server.url);

/** Sends a command and prints it; image bytes are shown by size only, landmarks by count. */
async function show<T extends { input: object }>(command: T): Promise<Record<string, unknown>> {
  const name = command.constructor.name.replace(/Command$/, "");
  // A Buffer reaches the replacer already as {type, data}.
  const input = JSON.stringify(command.input, (key, value: { data?: unknown[] }) =>
    key === "Bytes" ? `<${value.data?.length ?? 0} bytes>` : value,
  );
  console.log(`> ${name} ${input}`);
  // The SDK's send is typed per command; this script only prints.
  const output = (await client.send(command as never)) as unknown as Record<string, unknown>;
  const { $metadata: _metadata, ...rest } = output;
  const printed = JSON.stringify(rest, (key, value: unknown[]) =>
    key === "Landmarks" ? `<${value.length} landmarks>` : value,
  );
  console.log(`< ${printed}\n`);
  return rest;
}

const CollectionId = "kyc";
await client.send(new CreateCollectionCommand({ CollectionId }));
const faceIds: string[] = [];
for (const name of ["obama_1", "obama_2", "biden_1"]) {
  const indexed = await client.send(
    new IndexFacesCommand({ CollectionId, Image: { Bytes: facePhoto(`same/${name}.jpg`) }, ExternalImageId: name }),
  );
  faceIds.push(indexed.FaceRecords![0]!.Face!.FaceId!);
}
const [obama1, obama2, biden1] = faceIds as [string, string, string];
await show(new CreateUserCommand({ CollectionId, UserId: "customer-42", ClientRequestToken: "create-42" }));
await show(new AssociateFacesCommand({ CollectionId, UserId: "customer-42", FaceIds: [obama1] }));
await show(new AssociateFacesCommand({ CollectionId, UserId: "customer-42", FaceIds: [obama2, biden1] }));
await show(new ListUsersCommand({ CollectionId }));
await show(
  new SearchUsersByImageCommand({ CollectionId, Image: { Bytes: facePhoto("same/obama_3.jpg") }, MaxUsers: 5 }),
);
await show(new SearchUsersCommand({ CollectionId, FaceId: obama1 }));
await show(new DisassociateFacesCommand({ CollectionId, UserId: "customer-42", FaceIds: [obama2] }));
await show(new DeleteUserCommand({ CollectionId, UserId: "customer-42" }));

await server.close();
await engine.close();
rmSync(dataDir, { recursive: true, force: true });
