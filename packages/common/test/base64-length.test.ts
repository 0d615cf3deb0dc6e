import { describe, expect, it } from "vitest";
import { base64DecodedLength, base64EncodedLength } from "../src/base64-length.ts";

describe("base64 lengths", () => {
  it.each([0, 1, 2, 3, 4, 5, 1000, 15 * 1024 * 1024])("match what Buffer encodes and decodes for %i bytes", (n) => {
    const text = Buffer.alloc(n, 0xab).toString("base64");
    expect(base64EncodedLength(n)).toBe(text.length);
    expect(base64DecodedLength(text)).toBe(n);
    // Unpadded base64 decodes to the same bytes.
    expect(base64DecodedLength(text.replace(/=+$/, ""))).toBe(n);
  });
});
