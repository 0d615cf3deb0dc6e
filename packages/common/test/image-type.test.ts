import { describe, expect, it } from "vitest";
import { sniffImageType } from "../src/image-type.ts";

describe("sniffImageType", () => {
  it("knows JPEG and PNG by their first bytes", () => {
    expect(sniffImageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00]))).toBe("image/jpeg");
    expect(sniffImageType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00]))).toBe("image/png");
  });

  it("answers undefined for other formats and for bytes too short to tell", () => {
    expect(sniffImageType(Buffer.from("GIF89a"))).toBeUndefined();
    expect(sniffImageType(Buffer.from([0xff, 0xd8]))).toBeUndefined();
    expect(sniffImageType(Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBeUndefined();
    expect(sniffImageType(new Uint8Array())).toBeUndefined();
  });
});
