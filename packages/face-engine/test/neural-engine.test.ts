import { readdirSync } from "node:fs";
import { facePhoto, facePhotoPath } from "@faceindex/testing";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createFaceEngine,
  FACE_MODEL_7,
  FACE_MODEL_8,
  faceDistance,
  faceSimilarity,
  ImageDecodeError,
  LATEST_FACE_MODEL,
  unindexedReasons,
  type AnalysedImage,
  type FaceEngine,
} from "@faceindex/face-engine";
import { createNeuralAnalyser } from "../src/neural/neural-analyser.ts";

const folder = (name: string): string[] => readdirSync(facePhotoPath(name)).map((f) => `${name}/${f}`);
const identity = (file: string): string => file.split("/")[1]!.split("_")[0]!;

let engine: FaceEngine;
/** Every fixture analysed with the default face model (LATEST_FACE_MODEL) ... */
const results = new Map<string, AnalysedImage>();
/** ... and with face model 7.0, which collections created before 8.0 keep. */
const results7 = new Map<string, AnalysedImage>();
const byModel = [
  { model: LATEST_FACE_MODEL, results },
  { model: FACE_MODEL_7, results: results7 },
];

beforeAll(async () => {
  engine = await createFaceEngine({ mode: "neural", threads: 2, log: () => {} });
  const files = [...folder("people"), ...folder("same"), ...folder("group"), ...folder("noface")];
  await Promise.all(files.map(async (f) => results.set(f, await engine.analyse(facePhoto(f)))));
  await Promise.all(
    files.map(async (f) => results7.set(f, await engine.analyse(facePhoto(f), { faceModel: FACE_MODEL_7.version }))),
  );
});

afterAll(async () => {
  await engine?.close();
});

/** The fixture (other than `except`) whose face is nearest to `descriptor`. */
function nearestFixture(descriptor: Float32Array, except: string): string {
  const others = [...results].filter(([f, r]) => f !== except && r.faces.length === 1);
  return others
    .map(([f, r]) => ({ f, d: faceDistance(descriptor, r.faces[0]!.descriptor) }))
    .sort((a, b) => a.d - b.d)[0]!.f;
}

/** Largest distance, in pixels, between the eyes, mouth corners and nose and their mirrored counterparts. */
async function mirrorError(analyse: (bytes: Buffer) => Promise<AnalysedImage>, crop: Buffer): Promise<number> {
  const image = await analyse(crop);
  const flipped = await analyse(await sharp(crop).flop().toBuffer());
  const [face, mirrored] = [image.faces[0]!, flipped.faces[0]!];
  const at = (f: typeof face, type: string) => f.landmarks.find((l) => l.type === type)!;
  const pairs = [
    ["eyeLeft", "eyeRight"],
    ["eyeRight", "eyeLeft"],
    ["mouthLeft", "mouthRight"],
    ["mouthRight", "mouthLeft"],
    ["nose", "nose"],
  ] as const;
  const pixels = pairs.map(([ours, theirs]) => {
    const [p, q] = [at(face, ours), at(mirrored, theirs)];
    return Math.hypot(p.x - (1 - q.x), p.y - q.y) * image.width;
  });
  return Math.max(...pixels);
}

/** A fixture cut to its face's landmarks (jaw to jaw, brows to chin), as the evaluation's tight condition does. */
async function tightCrop(file: string): Promise<Buffer> {
  const clean = results.get(file)!;
  const xs = clean.faces[0]!.landmarks.map((l) => l.x * clean.width);
  const ys = clean.faces[0]!.landmarks.map((l) => l.y * clean.height);
  const [left, top] = [Math.round(Math.min(...xs)), Math.round(Math.min(...ys))];
  const [width, height] = [Math.round(Math.max(...xs)) - left, Math.round(Math.max(...ys)) - top];
  return sharp(facePhoto(file)).extract({ left, top, width, height }).jpeg({ quality: 90 }).toBuffer();
}

describe("neural face engine on the fixtures", () => {
  it("finds one face on each portrait, two on the group photo and none on the no-face images", () => {
    expect(engine.mode).toBe("neural");
    for (const f of [...folder("people"), ...folder("same")]) expect(results.get(f)!.faces, f).toHaveLength(1);
    expect(results.get("group/whitehouse_obama_biden.jpg")!.faces).toHaveLength(2);
    for (const f of folder("noface")) expect(results.get(f)!.faces, f).toEqual([]);
  });

  it("reports boxes, landmarks and scores in Rekognition's ranges", () => {
    for (const [file, image] of results) {
      expect(image.format, file).toBe("jpeg");
      for (const face of image.faces) {
        const { left, top, width, height } = face.box;
        for (const v of [left, top, width, height, left + width, top + height]) {
          expect(v, file).toBeGreaterThanOrEqual(0);
          expect(v, file).toBeLessThanOrEqual(1);
        }
        expect(face.confidence).toBeGreaterThan(0);
        expect(face.confidence).toBeLessThanOrEqual(100);
        const types = face.landmarks.map((l) => l.type);
        expect(types).toEqual(expect.arrayContaining(["eyeLeft", "eyeRight", "nose", "mouthLeft", "mouthRight"]));
        for (const l of face.landmarks)
          expect(l.x >= 0 && l.x <= 1 && l.y >= 0 && l.y <= 1, `${file} ${l.type}`).toBe(true);
        const eyeLeft = face.landmarks.find((l) => l.type === "eyeLeft")!;
        const eyeRight = face.landmarks.find((l) => l.type === "eyeRight")!;
        expect(eyeLeft.x, file).toBeLessThan(eyeRight.x);
        expect(eyeLeft.x >= left && eyeRight.x <= left + width, `${file}: eyes inside the box`).toBe(true);
        expect(face.descriptor).toBeInstanceOf(Float32Array);
        expect(Math.hypot(...face.descriptor)).toBeCloseTo(1, 4);
        for (const q of [face.quality.brightness, face.quality.sharpness]) expect(q >= 0 && q <= 100).toBe(true);
      }
    }
  });

  it("sorts faces largest first", () => {
    const [a, b] = results.get("group/whitehouse_obama_biden.jpg")!.faces;
    expect(a!.box.width * a!.box.height).toBeGreaterThanOrEqual(b!.box.width * b!.box.height);
  });

  it("computes the descriptors of the face model asked for, 8.0 unless told", async () => {
    expect(LATEST_FACE_MODEL).toBe(FACE_MODEL_8);
    for (const { model, results: analysed } of byModel) {
      for (const [file, image] of analysed)
        for (const face of image.faces) expect(face.descriptor, file).toHaveLength(model.descriptorLength);
    }
    // The faces, boxes and landmarks do not depend on the model; only the descriptor does.
    expect(results7.get("same/obama_1.jpg")!.faces[0]!.box).toEqual(results.get("same/obama_1.jpg")!.faces[0]!.box);
    await expect(engine.analyse(facePhoto("same/obama_1.jpg"), { faceModel: "6.0" })).rejects.toThrow(/6\.0/);
  });

  it.each(byModel)(
    "matches photos of the same person (similarity >= 80) and not of different people, face model $model.version",
    ({ results }) => {
      const descriptor = (f: string): Float32Array => results.get(f)!.faces[0]!.descriptor;
      const similarity = (a: string, b: string): number => faceSimilarity(descriptor(a), descriptor(b));
      expect(similarity("same/obama_1.jpg", "same/obama_2.jpg")).toBeGreaterThanOrEqual(80);
      expect(similarity("same/obama_1.jpg", "same/biden_1.jpg")).toBeLessThan(80);
      const portraits = [...folder("people"), ...folder("same")];
      for (const a of portraits) {
        for (const b of portraits) {
          if (a >= b) continue;
          const s = similarity(a, b);
          if (identity(a) === identity(b)) expect(s, `${a} ~ ${b}`).toBeGreaterThanOrEqual(80);
          else expect(s, `${a} vs ${b}`).toBeLessThan(80);
        }
      }
    },
  );

  it.each(byModel)(
    "finds the group photo's faces in the portraits of the same people, face model $model.version",
    ({ results }) => {
      const group = results.get("group/whitehouse_obama_biden.jpg")!.faces;
      const best = (f: string): number =>
        Math.max(...group.map((g) => faceSimilarity(g.descriptor, results.get(f)!.faces[0]!.descriptor)));
      expect(best("same/obama_1.jpg")).toBeGreaterThanOrEqual(80);
      expect(best("same/biden_1.jpg")).toBeGreaterThanOrEqual(80);
      expect(best("people/B001232.jpg")).toBeLessThan(80);
    },
  );

  it("passes every portrait fixture through the AUTO quality filter", () => {
    for (const f of [...folder("people"), ...folder("same")]) {
      const image = results.get(f)!;
      expect(unindexedReasons(image.faces[0]!, image, "AUTO"), f).toEqual([]);
    }
  });
});

describe("neural face engine on derived images", () => {
  const obama = facePhoto("same/obama_1.jpg");

  it("finds a face that fills the frame (selfie crop)", async () => {
    const selfie = await sharp(obama)
      .extract({ left: 70, top: 55, width: 110, height: 140 })
      .resize(400)
      .jpeg()
      .toBuffer();
    const image = await engine.analyse(selfie);
    expect(image.faces).toHaveLength(1);
    expect(image.faces[0]!.box.width).toBeGreaterThan(0.6);
  });

  it("finds an over-exposed face that SSD misses at every border, and its nearest photo is the same person", async () => {
    // Pixels x 1.9 + 30, clipped: a selfie against a window. Found by the contrast-stretched Tiny pass.
    const washedOut = await sharp(facePhoto("same/biden_1.jpg")).linear(1.9, 30).jpeg().toBuffer();
    const image = await engine.analyse(washedOut);
    expect(image.faces).toHaveLength(1);
    expect(nearestFixture(image.faces[0]!.descriptor, "same/biden_1.jpg")).toBe("same/biden_2.jpg");
    // It is the contrast pass that finds it: without it the engine sees no face.
    const withoutRescue = await createNeuralAnalyser({ contrastRescue: false, darkRescue: false });
    expect((await withoutRescue.analyse(washedOut)).faces).toEqual([]);
  });

  it("finds an over-exposed face that only darker mid-tones reveal, and its nearest photo is the same person", async () => {
    // Pixels x 2 + 30, clipped: the skin is white, and a linear stretch cannot help (the range already spans
    // 0..255). The dark rescue (mid-tones pushed down by a power curve) finds the face; without it, none.
    const washedOut = await sharp(facePhoto("same/M001194_2.jpg")).linear(2, 30).jpeg().toBuffer();
    const image = await engine.analyse(washedOut);
    expect(image.faces).toHaveLength(1);
    expect(nearestFixture(image.faces[0]!.descriptor, "same/M001194_2.jpg")).toBe("same/M001194_1.jpg");
    const withoutDarkRescue = await createNeuralAnalyser({ darkRescue: false });
    expect((await withoutDarkRescue.analyse(washedOut)).faces).toEqual([]);
  });

  it("finds no face in over-exposed faceless images, which the dark rescue looks at too", async () => {
    // The shirt and tie under each portrait (its bottom 18 %), as it is and over-exposed, and the no-face photos
    // over-exposed: every rescue pass runs on them (SSD on the darkened copy found faces in such crops).
    const faceless: [string, Buffer][] = [];
    for (const file of folder("people")) {
      const { width, height } = await sharp(facePhoto(file)).metadata();
      const top = Math.round(height * 0.82);
      const tie = await sharp(facePhoto(file))
        .extract({ left: 0, top, width, height: height - top })
        .jpeg()
        .toBuffer();
      faceless.push(
        [`${file} tie`, tie],
        [`${file} tie, over-exposed`, await sharp(tie).linear(2, 30).jpeg().toBuffer()],
      );
    }
    for (const file of folder("noface")) {
      faceless.push([`${file}, over-exposed`, await sharp(facePhoto(file)).linear(2, 30).jpeg().toBuffer()]);
    }
    // The SSD passes on the original pixels may report a weak box (by design: the quality filter refuses it, as
    // LOW_CONFIDENCE); the rescues must add none, and nothing may pass AUTO.
    const withoutDarkRescue = await createNeuralAnalyser({ darkRescue: false });
    for (const [name, bytes] of faceless) {
      const image = await engine.analyse(bytes);
      expect(
        image.faces.filter((face) => unindexedReasons(face, image, "AUTO").length === 0),
        name,
      ).toEqual([]);
      expect(image.faces.length, name).toBe((await withoutDarkRescue.analyse(bytes)).faces.length);
    }
  });

  it("finds a tilted head's eyes and mouth where it finds them on the mirrored photo", async () => {
    // A head tilted past 10 degrees has its landmarks re-found level, and averaged with the mirror's the same way.
    const before = await createNeuralAnalyser({ fullFrameLandmarks: false });
    for (const angle of [20, -25]) {
      const tilted = await sharp(facePhoto("same/obama_1.jpg"))
        .rotate(angle, { background: "#808080" })
        .jpeg()
        .toBuffer();
      expect(await mirrorError((bytes) => engine.analyse(bytes), tilted), `${angle} degrees`).toBeLessThan(2);
      expect(await mirrorError((bytes) => before.analyse(bytes), tilted), `${angle} degrees`).toBeGreaterThan(2);
    }
  });

  it("matches a tight crop with another photo of the same person", async () => {
    // A000371_1 cut to its landmarks, against A000371_2: the landmarks re-found on the crop and its mirror put the
    // chip on the right eyes; without that face model 7.0 puts the pair far under the default threshold (54
    // measured).
    const crop = await tightCrop("same/A000371_1.jpg");
    const seven = { faceModel: FACE_MODEL_7.version };
    const similarity = async (analyse: (bytes: Buffer) => Promise<AnalysedImage>, to: Map<string, AnalysedImage>) =>
      faceSimilarity((await analyse(crop)).faces[0]!.descriptor, to.get("same/A000371_2.jpg")!.faces[0]!.descriptor);
    expect(await similarity((bytes) => engine.analyse(bytes), results)).toBeGreaterThanOrEqual(80);
    expect(await similarity((bytes) => engine.analyse(bytes, seven), results7)).toBeGreaterThanOrEqual(80);
    const before = await createNeuralAnalyser({ fullFrameLandmarks: false });
    expect(await similarity((bytes) => before.analyse(bytes, seven), results7)).toBeLessThan(80);
  });

  it("finds a tight crop's eyes and mouth where it finds them on the mirrored crop", async () => {
    // A face that fills the frame (an ID crop) gets its landmarks re-found on a crop around them and on that
    // crop's mirror, averaged (the default), so the chip is aligned on the right points: on the flipped crop
    // they land within a few pixels of the mirrored ones. Without it, obama_1's eyes were 12-14 px off (of a
    // 116 px crop), which is what made tight crops miss their own person.
    const obama = await tightCrop("same/obama_1.jpg");
    expect(await mirrorError((bytes) => engine.analyse(bytes), obama)).toBeLessThan(3);
    expect(await mirrorError((bytes) => engine.analyse(bytes), await tightCrop("same/biden_1.jpg"))).toBeLessThan(3);
    const before = await createNeuralAnalyser({ fullFrameLandmarks: false });
    expect(await mirrorError((bytes) => before.analyse(bytes), obama)).toBeGreaterThan(6);
  });

  it("applies EXIF orientation: boxes are relative to the upright image", async () => {
    // Pixels stored sideways with orientation 6 ("rotate 90 clockwise to view"), as phone cameras do.
    const sideways = await sharp(obama).rotate(-90).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const image = await engine.analyse(sideways);
    expect(image).toMatchObject({ width: 225, height: 275 });
    expect(image.faces).toHaveLength(1);
    const upright = results.get("same/obama_1.jpg")!.faces[0]!;
    expect(image.faces[0]!.box.left).toBeCloseTo(upright.box.left, 1);
    expect(image.faces[0]!.box.top).toBeCloseTo(upright.box.top, 1);
  });

  it("rejects a blurred face as LOW_SHARPNESS", async () => {
    const image = await engine.analyse(await sharp(obama).blur(3).jpeg().toBuffer());
    expect(image.faces).toHaveLength(1);
    expect(unindexedReasons(image.faces[0]!, image, "AUTO")).toContain("LOW_SHARPNESS");
  });

  it("rejects a very dark face as LOW_BRIGHTNESS", async () => {
    const image = await engine.analyse(await sharp(obama).linear(0.3, 0).jpeg().toBuffer());
    expect(image.faces).toHaveLength(1);
    expect(unindexedReasons(image.faces[0]!, image, "AUTO")).toContain("LOW_BRIGHTNESS");
  });

  it("rejects a tiny face in a large canvas as SMALL_BOUNDING_BOX", async () => {
    const tiny = await sharp(facePhoto("people/B001232.jpg")).resize({ height: 34 }).toBuffer();
    const canvas = await sharp({ create: { width: 400, height: 300, channels: 3, background: "#777777" } })
      .composite([{ input: tiny, left: 200, top: 50 }])
      .png()
      .toBuffer();
    const image = await engine.analyse(canvas);
    expect(image).toMatchObject({ format: "png", width: 400, height: 300 });
    expect(image.faces).toHaveLength(1);
    expect(unindexedReasons(image.faces[0]!, image, "AUTO")).toContain("SMALL_BOUNDING_BOX");
  });
});

describe("neural face engine on bad input", () => {
  it("throws ImageDecodeError for a text file, a truncated JPEG and a GIF, then keeps working", async () => {
    await expect(engine.analyse(Buffer.from("name,dob\nJane,1990-01-01\n"))).rejects.toThrow(ImageDecodeError);
    const truncated = facePhoto("same/obama_2.jpg").subarray(0, 4000);
    await expect(engine.analyse(truncated)).rejects.toThrow(ImageDecodeError);
    await expect(engine.analyse(truncated)).rejects.toThrow(/truncated or corrupt/);
    await expect(engine.analyse(Buffer.from("GIF89a\x10\x00\x10\x00\x80\x00\x00"))).rejects.toThrow(
      /GIF.*only JPEG and PNG/,
    );
    expect((await engine.analyse(facePhoto("same/biden_1.jpg"))).faces).toHaveLength(1);
  });

  it("leaves the caller's bytes intact (the pool sends a copy to the thread)", async () => {
    const bytes = facePhoto("same/biden_2.jpg");
    const before = Buffer.from(bytes);
    await engine.analyse(bytes);
    expect(bytes.equals(before)).toBe(true);
  });
});
