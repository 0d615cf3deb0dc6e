import { describe, expect, it } from "vitest";
import { darkenMidtones } from "../src/neural/darken-midtones.ts";

describe("darkenMidtones", () => {
  it("keeps black and white, darkens the middle of the range and keeps the order of grey levels", () => {
    const rgb = Uint8Array.from({ length: 256 * 3 }, (_, i) => Math.floor(i / 3));
    const out = darkenMidtones({ rgb, width: 256, height: 1 }, 3);
    expect(out[0]).toBe(0);
    expect(out[255 * 3]).toBe(255);
    expect(out[128 * 3]).toBe(32); // 255 * (128 / 255)^3
    for (let v = 1; v < 256; v++) expect(out[v * 3]!).toBeGreaterThanOrEqual(out[(v - 1) * 3]!);
    expect(rgb[128 * 3]).toBe(128); // the input is left alone
  });
});
