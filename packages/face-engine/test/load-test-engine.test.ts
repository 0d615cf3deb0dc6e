import { facePhoto } from "@faceindex/testing";
import { describe, expect, it } from "vitest";
import { createFaceEngine, faceDistance, ImageDecodeError } from "@faceindex/face-engine";

describe("createFaceEngine load-test mode", () => {
  it("warns that results are fake and answers one deterministic face per image", async () => {
    const warnings: string[] = [];
    const engine = await createFaceEngine({ mode: "load-test", loadTestLatencyMs: 1, log: (m) => warnings.push(m) });
    try {
      expect(engine.mode).toBe("load-test");
      expect(warnings.join("\n")).toMatch(/LOAD-TEST.*FAKE/s);
      const obama = facePhoto("same/obama_1.jpg");
      const first = await engine.analyse(obama);
      const again = await engine.analyse(Buffer.from(obama));
      const other = await engine.analyse(facePhoto("same/obama_2.jpg"));
      expect(first).toMatchObject({ format: "jpeg", width: 225, height: 275 });
      expect(first.faces).toHaveLength(1);
      const face = first.faces[0]!;
      // The latest face model's length unless another model is asked for, as the neural engine does.
      expect(face.descriptor).toHaveLength(512);
      expect((await engine.analyse(obama, { faceModel: "7.0" })).faces[0]!.descriptor).toHaveLength(128);
      await expect(engine.analyse(obama, { faceModel: "6.0" })).rejects.toThrow(/6\.0/);
      expect(Math.hypot(...face.descriptor)).toBeCloseTo(1, 5);
      expect(again.faces[0]!.descriptor).toEqual(face.descriptor);
      // Different bytes: far apart, even though it is the same person (the faces are fake).
      expect(faceDistance(face.descriptor, other.faces[0]!.descriptor)).toBeGreaterThan(0.8);
      for (const v of [face.box.left, face.box.top, face.box.left + face.box.width, face.box.top + face.box.height]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    } finally {
      await engine.close();
    }
  });

  it("reads PNG sizes and rejects bytes that are not a JPEG or PNG", async () => {
    const engine = await createFaceEngine({ mode: "load-test", loadTestLatencyMs: 1, log: () => {} });
    try {
      const sharp = (await import("sharp")).default;
      const png = await sharp(facePhoto("same/biden_1.jpg")).resize(100, 120).png().toBuffer();
      expect(await engine.analyse(png)).toMatchObject({ format: "png", width: 100, height: 120 });
      await expect(engine.analyse(Buffer.from("just some text"))).rejects.toThrow(ImageDecodeError);
      await expect(engine.analyse(Buffer.from("GIF89a\x01\x00\x01\x00"))).rejects.toThrow(/GIF/);
      await expect(engine.analyse(new Uint8Array())).rejects.toThrow(/empty/);
      await expect(engine.analyse(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).rejects.toThrow(ImageDecodeError);
    } finally {
      await engine.close();
    }
  });

  it("refuses an unknown mode with a clear error", async () => {
    await expect(createFaceEngine({ mode: "fast" as never })).rejects.toThrow(/unknown face engine mode "fast"/);
  });
});
