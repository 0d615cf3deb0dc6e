import { describe, expect, it } from "vitest";
import { MIRRORED_68, unmirrorLandmarks, type Point } from "../src/neural/landmarks.ts";

describe("MIRRORED_68", () => {
  it("pairs every iBUG point with one counterpart, and a counterpart's counterpart is the point itself", () => {
    expect([...MIRRORED_68].sort((a, b) => a - b)).toEqual([...Array(68).keys()]);
    MIRRORED_68.forEach((to, from) => expect(MIRRORED_68[to], `point ${from}`).toBe(from));
  });

  it("keeps the points on the face's middle line and swaps the sides", () => {
    const onMiddleLine = MIRRORED_68.flatMap((to, from) => (to === from ? [from] : []));
    // Chin, nose ridge and tip, the nostrils' centre, the lips' centres (outer and inner, top and bottom).
    expect(onMiddleLine).toEqual([8, 27, 28, 29, 30, 33, 51, 57, 62, 66]);
    expect(MIRRORED_68[0]).toBe(16); // jaw
    expect(MIRRORED_68[17]).toBe(26); // outer brow ends
    expect(MIRRORED_68[36]).toBe(45); // outer eye corners
    expect(MIRRORED_68[39]).toBe(42); // inner eye corners
    expect(MIRRORED_68[48]).toBe(54); // mouth corners
  });
});

describe("unmirrorLandmarks", () => {
  it("brings points found on a mirrored image back to the original's frame and order", () => {
    const width = 112;
    const original: Point[] = Array.from({ length: 68 }, (_, i) => ({ x: 10 + i, y: 100 - i / 2 }));
    // What a perfect net finds on the mirrored crop: point i is the original's counterpart, x flipped.
    const onMirror = original.map((_, i) => ({
      x: width - original[MIRRORED_68[i]!]!.x,
      y: original[MIRRORED_68[i]!]!.y,
    }));
    expect(unmirrorLandmarks(onMirror, width)).toEqual(original);
  });

  it("refuses fewer than 68 points", () => {
    expect(() => unmirrorLandmarks([{ x: 1, y: 1 }], 112)).toThrow(RangeError);
  });
});
