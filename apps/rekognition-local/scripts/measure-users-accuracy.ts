/**
 * Users vs faces on the shared fixtures, through the official SDK against this server (neural engine):
 * per person with at least two photos, the last one is the probe (plain and under hard conditions) and the
 * others are enrolled as that person; the people/ portraits are enrolled as distractors. Faces mode:
 * SearchFacesByImage, a person = the ExternalImageId of a match; users mode: the same faces associated to
 * one user per person, SearchUsersByImage. Both at the default threshold (80).
 * Usage: pnpm --filter @faceindex/rekognition-local accuracy:users [--model=8.0]  (the collection's face model)
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AssociateFacesCommand,
  CreateCollectionCommand,
  CreateUserCommand,
  IndexFacesCommand,
  SearchFacesByImageCommand,
  SearchUsersByImageCommand,
} from "@aws-sdk/client-rekognition";
import { createFaceEngine, LATEST_FACE_MODEL, requireFaceModel } from "@faceindex/face-engine";
import { facePhoto, facePhotoPath, localRekognitionClient, localS3Client } from "@faceindex/testing";
import sharp from "sharp";
import { startRekognitionServer } from "../src/server.ts";

/** Hard conditions of the probe, the way selfies and ID scans are hard (a small, fixed set: this is a comparison). */
const CONDITIONS: Record<string, (image: Buffer) => Promise<Buffer>> = {
  original: async (image) => image,
  grey: (image) => sharp(image).greyscale().jpeg().toBuffer(),
  jpeg30: (image) => sharp(image).jpeg({ quality: 30 }).toBuffer(),
  rotate20: (image) => sharp(image).rotate(20, { background: "#808080" }).jpeg().toBuffer(),
  small100: (image) => sharp(image).resize({ width: 100 }).jpeg().toBuffer(),
};

const files = readdirSync(join(facePhotoPath("same"))).sort();
const people = new Map<string, string[]>();
for (const file of files) {
  const person = file.replace(/_\d+\.jpg$/, "");
  people.set(person, [...(people.get(person) ?? []), `same/${file}`]);
}
const distractors = readdirSync(facePhotoPath("people")).map((file) => `people/${file}`);

const dataDir = mkdtempSync(join(tmpdir(), "users-accuracy-"));
const engine = await createFaceEngine({ mode: "neural", threads: 2, log: () => {} });
// Images go as Bytes only: port 9 (discard) so a stray S3Object call fails at once.
const modelFlag = process.argv.find((a) => a.startsWith("--model="))?.split("=")[1];
const faceModel = requireFaceModel(modelFlag ?? LATEST_FACE_MODEL.version);
console.log(`face model ${faceModel.version}`);
const server = await startRekognitionServer({
  engine,
  dataDir,
  s3: localS3Client("http://127.0.0.1:9"),
  port: 0,
  faceModel,
});
const client = localRekognitionClient(server.url);

type Tally = { probes: number; rank1: number; missed: number; impostors: number };
const tallies = new Map<string, { faces: Tally; users: Tally }>();
const tally = (condition: string) => {
  if (!tallies.has(condition)) {
    const empty = (): Tally => ({ probes: 0, rank1: 0, missed: 0, impostors: 0 });
    tallies.set(condition, { faces: empty(), users: empty() });
  }
  return tallies.get(condition)!;
};
const count = (t: Tally, ranked: string[], person: string) => {
  t.probes += 1;
  if (ranked[0] === person) t.rank1 += 1;
  if (!ranked.includes(person)) t.missed += 1;
  if (ranked.some((other) => other !== person)) t.impostors += 1;
};

const CollectionId = "accuracy";
await client.send(new CreateCollectionCommand({ CollectionId }));
const probes = [...people]
  .filter(([, photos]) => photos.length >= 2)
  .map(([person, photos]) => [person, photos.at(-1)!] as const);
const gallery = [...people].flatMap(([person, photos]) =>
  photos.filter((photo) => !probes.some(([, probe]) => probe === photo)).map((photo) => [photo, person] as const),
);
for (const [photo, owner] of [
  ...gallery,
  ...distractors.map((p) => [p, p.replace(/[^a-zA-Z0-9_.\-:]/g, "_")] as const),
]) {
  const indexed = await client.send(
    new IndexFacesCommand({ CollectionId, Image: { Bytes: facePhoto(photo) }, ExternalImageId: owner, MaxFaces: 1 }),
  );
  const faceId = indexed.FaceRecords?.[0]?.Face?.FaceId;
  if (!faceId) continue;
  await client.send(new CreateUserCommand({ CollectionId, UserId: owner })).catch(() => {});
  await client.send(
    new AssociateFacesCommand({ CollectionId, UserId: owner, FaceIds: [faceId], UserMatchThreshold: 0 }),
  );
  console.error(`enrolled ${photo} as ${owner}`);
}
for (const [person, probe] of probes) {
  for (const [condition, transform] of Object.entries(CONDITIONS)) {
    const Image = { Bytes: await transform(facePhoto(probe)) };
    const faces = await client
      .send(new SearchFacesByImageCommand({ CollectionId, Image }))
      .then((r) => (r.FaceMatches ?? []).map((m) => m.Face?.ExternalImageId ?? ""))
      .catch(() => [] as string[]);
    const users = await client
      .send(new SearchUsersByImageCommand({ CollectionId, Image }))
      .then((r) => (r.UserMatches ?? []).map((m) => m.User?.UserId ?? ""))
      .catch(() => [] as string[]);
    // Ranked people, best first (faces: a person may appear once per enrolled photo).
    count(tally(condition).faces, [...new Set(faces)], person);
    count(tally(condition).users, users, person);
    console.error(`searched ${probe} ${condition}: faces ${faces.join(",")} users ${users.join(",")}`);
  }
}

const row = (name: string, t: Tally) =>
  `${name.padEnd(16)} ${String(t.probes).padStart(6)} ${`${t.rank1}/${t.probes}`.padStart(8)} ${`${t.missed}/${t.probes}`.padStart(8)} ${`${t.impostors}/${t.probes}`.padStart(10)}`;
console.log(
  `${probes.length} probes x ${Object.keys(CONDITIONS).length} conditions, gallery ${gallery.length} photos + ${distractors.length} distractors, threshold 80`,
);
console.log("condition mode   probes   rank-1   missed  impostors");
const total = {
  faces: { probes: 0, rank1: 0, missed: 0, impostors: 0 },
  users: { probes: 0, rank1: 0, missed: 0, impostors: 0 },
};
for (const [condition, { faces, users }] of tallies) {
  console.log(row(`${condition} faces`, faces));
  console.log(row(`${condition} users`, users));
  for (const key of ["probes", "rank1", "missed", "impostors"] as const) {
    total.faces[key] += faces[key];
    total.users[key] += users[key];
  }
}
console.log(row("all faces", total.faces));
console.log(row("all users", total.users));

await server.close();
await engine.close();
rmSync(dataDir, { recursive: true, force: true });
