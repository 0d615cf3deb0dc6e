/**
 * What int8 rows (src/rows/int8-rows.ts) do to face model 8.0's similarities on real descriptors: every
 * fixture photo's 8.0 descriptor is stored as an int8 row, and each pair's similarity is computed three ways:
 * float32 on both sides (the truth), an image's descriptor against a stored row (SearchFacesByImage,
 * IndexFaces' dedupe), and a stored row read back against a stored row (SearchFaces by FaceId, Users).
 *   pnpm --filter @faceindex/face-engine exec tsx scripts/int8-precision.ts [fixtures folder]
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createFaceEngine, FACE_MODEL_8, faceSimilarity, similarityFromDistance, unitVector } from "../src/index.ts";
import { int8RowCodec } from "../src/rows/int8-rows.ts";

const root = process.argv[2] ?? new URL("../../../../shared/fixtures/faces", import.meta.url).pathname;
const files = ["people", "same"].flatMap((folder) =>
  readdirSync(join(root, folder))
    .filter((name) => name.endsWith(".jpg"))
    .map((name) => join(root, folder, name)),
);
const engine = await createFaceEngine({ mode: "neural", log: () => {} });
const descriptors: Float32Array[] = [];
try {
  for (const file of files) {
    const analysed = await engine.analyse(readFileSync(file), { faceModel: FACE_MODEL_8.version });
    const descriptor = analysed.faces[0]?.descriptor;
    if (descriptor) descriptors.push(unitVector(descriptor, FACE_MODEL_8));
  }
} finally {
  await engine.close();
}

const codec = int8RowCodec(FACE_MODEL_8.descriptorLength);
const rows = new Uint8Array(codec.rowBytes * descriptors.length);
descriptors.forEach((d, row) => codec.write(rows, row, d));
const stored = descriptors.map((_, row) => codec.read(rows, row));
const similarityOf = (dot: number) => similarityFromDistance(Math.sqrt(Math.max(0, 2 - 2 * dot)), FACE_MODEL_8);
const worst = { image: { change: 0, at: 0 }, stored: { change: 0, at: 0 } };
let pairs = 0;
for (let q = 0; q < descriptors.length; q++) {
  for (let row = 0; row < descriptors.length; row++) {
    if (q === row) continue;
    pairs++;
    const exact = faceSimilarity(descriptors[q]!, descriptors[row]!);
    const image = Math.abs(similarityOf(codec.dot(descriptors[q]!, rows, row)) - exact);
    const both = Math.abs(similarityOf(codec.dot(stored[q]!, rows, row)) - exact);
    if (image > worst.image.change) worst.image = { change: image, at: exact };
    if (both > worst.stored.change) worst.stored = { change: both, at: exact };
  }
}
const largest = descriptors.map((d) => Math.max(...Array.from(d, Math.abs))).sort((a, b) => a - b);
console.log(`${descriptors.length} descriptors of ${files.length} photos, ${pairs} ordered pairs`);
console.log(
  `largest value of a descriptor: median ${largest[largest.length >> 1]!.toFixed(3)}, max ${largest.at(-1)!.toFixed(3)}`,
);
console.log(
  `image descriptor vs stored row: similarity moved by at most ${worst.image.change.toFixed(3)} (at ${worst.image.at.toFixed(1)})`,
);
console.log(
  `stored row vs stored row: similarity moved by at most ${worst.stored.change.toFixed(3)} (at ${worst.stored.at.toFixed(1)})`,
);
