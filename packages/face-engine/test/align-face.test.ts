import { describe, expect, it } from "vitest";
import { applySimilarity, CHIP_TEMPLATE, fitSimilarity, warpChip } from "../src/neural/align-face.ts";

describe("fitSimilarity", () => {
  it("recovers a rotation, scale and shift exactly from four points", () => {
    const angle = (20 * Math.PI) / 180;
    const truth = { a: 1.7 * Math.cos(angle), b: 1.7 * Math.sin(angle), tx: 40, ty: -12 };
    const moved = CHIP_TEMPLATE.map((p) => applySimilarity(truth, p));
    const fitted = fitSimilarity(CHIP_TEMPLATE, moved);
    for (const k of ["a", "b", "tx", "ty"] as const) expect(fitted[k]).toBeCloseTo(truth[k], 9);
    // The eyes of the tilted face land level in the chip: the chip-to-image map turns by the tilt.
    expect((Math.atan2(fitted.b, fitted.a) * 180) / Math.PI).toBeCloseTo(20, 9);
  });
});

describe("warpChip", () => {
  it("cuts the identity chip out unchanged and repeats edge pixels outside the image", () => {
    const width = 4;
    const height = 3;
    const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => i);
    const chip = warpChip({ rgb, width, height }, { a: 1, b: 0, tx: 0, ty: 0 }, 3);
    expect(Array.from(chip.subarray(0, 9))).toEqual(Array.from(rgb.subarray(0, 9)));
    const shifted = warpChip({ rgb, width, height }, { a: 1, b: 0, tx: -10, ty: 0 }, 1);
    expect(Array.from(shifted)).toEqual([0, 1, 2]);
  });
});
