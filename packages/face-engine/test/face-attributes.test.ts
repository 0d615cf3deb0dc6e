import { readdirSync } from "node:fs";
import { facePhoto, facePhotoPath } from "@faceindex/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFaceEngine, type AnalysedImage, type FaceEngine } from "@faceindex/face-engine";

let engine: FaceEngine;
const portraits = new Map<string, AnalysedImage>();
const files = readdirSync(facePhotoPath("people")).map((f) => `people/${f}`);

beforeAll(async () => {
  engine = await createFaceEngine({ mode: "neural", threads: 2, log: () => {} });
  const wanted = [...files, "same/obama_1.jpg", "same/biden_1.jpg", "same/B001230_1.jpg"];
  await Promise.all(
    wanted.map(async (f) => portraits.set(f, await engine.analyse(facePhoto(f), { attributes: true }))),
  );
});

afterAll(async () => {
  await engine?.close();
});

describe("face attributes", () => {
  it("are computed only when asked for", async () => {
    const plain = await engine.analyse(facePhoto("same/obama_1.jpg"));
    expect(plain.faces[0]!.attributes).toBeUndefined();
    expect(portraits.get("same/obama_1.jpg")!.faces[0]!.attributes).toBeDefined();
  });

  it("see open eyes, adult ages and every emotion with a confidence on official portraits", () => {
    for (const [file, image] of portraits) {
      const a = image.faces[0]!.attributes!;
      expect(a.eyesOpen.value, file).toBe(true);
      expect(a.eyesOpen.confidence, file).toBeGreaterThan(50);
      expect(a.ageRange.low, file).toBeGreaterThanOrEqual(18);
      expect(a.ageRange.high, file).toBeGreaterThan(a.ageRange.low);
      expect(a.emotions.map((e) => e.type).sort()).toEqual(
        ["ANGRY", "CALM", "DISGUSTED", "FEAR", "HAPPY", "SAD", "SURPRISED"].sort(),
      );
      for (const c of [
        a.gender.confidence,
        a.smile.confidence,
        a.mouthOpen.confidence,
        ...a.emotions.map((e) => e.confidence),
      ])
        expect(c >= 0 && c <= 100, file).toBe(true);
    }
  });

  it("tell the labelled men and women apart", () => {
    const gender = (f: string): string => portraits.get(f)!.faces[0]!.attributes!.gender.value;
    expect(gender("same/obama_1.jpg")).toBe("Male");
    expect(gender("same/biden_1.jpg")).toBe("Male");
    expect(gender("same/B001230_1.jpg")).toBe("Female"); // Tammy Baldwin
    expect(gender("people/nasa_eileen_collins.jpg")).toBe("Female");
  });
});
