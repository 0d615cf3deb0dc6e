import { describe, expect, it } from "vitest";
import { stretchContrast } from "../src/neural/stretch-contrast.ts";

const grey = (levels: number[]): Uint8Array => Uint8Array.from(levels.flatMap((v) => [v, v, v]));

describe("stretchContrast", () => {
  it("spreads a washed-out image's grey levels over the whole range", () => {
    const levels = Array.from({ length: 1000 }, (_, i) => 200 + Math.floor((i / 1000) * 50)); // 200..249
    const out = stretchContrast({ rgb: grey(levels), width: 1000, height: 1 });
    expect(out[0]).toBe(0);
    expect(out[out.length - 1]).toBe(255);
    expect(out[3 * 500]).toBeGreaterThan(110);
    expect(out[3 * 500]).toBeLessThan(145);
  });

  it("maps the three channels alike (one map for all), so colours keep their order", () => {
    // Channels with different ranges: red 150..209, green 100..139, blue 120..179.
    const rgb = Uint8Array.from({ length: 300 }, (_, i) =>
      i % 3 === 0 ? 150 + ((i * 7) % 60) : i % 3 === 1 ? 100 + ((i * 5) % 40) : 120 + ((i * 11) % 60),
    );
    const out = stretchContrast({ rgb, width: 100, height: 1 });
    const mapped = new Map<number, number>();
    for (let i = 0; i < rgb.length; i++) {
      const seen = mapped.get(rgb[i]!);
      if (seen !== undefined) expect(out[i], `value ${rgb[i]} at ${i}`).toBe(seen);
      mapped.set(rgb[i]!, out[i]!);
    }
    for (let i = 0; i < rgb.length; i += 3) {
      if (rgb[i]! < rgb[i + 1]!) expect(out[i]!).toBeLessThanOrEqual(out[i + 1]!);
      if (rgb[i]! > rgb[i + 1]!) expect(out[i]!).toBeGreaterThanOrEqual(out[i + 1]!);
    }
  });

  it("leaves a nearly uniform image as it is instead of stretching its noise", () => {
    const rgb = grey(Array.from({ length: 100 }, (_, i) => 120 + (i % 3)));
    expect(Array.from(stretchContrast({ rgb, width: 100, height: 1 }))).toEqual(Array.from(rgb));
  });
});
