/** Decoding the image field: raw base64, data URLs, and every way it can be wrong. */
import { describe, expect, it } from "vitest";
import { facePhoto } from "@faceindex/testing";
import { decodeImage } from "../src/input/image-input.ts";

const jpeg = facePhoto("same/obama_1.jpg");
const MAX = 15 * 1024 * 1024;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe("decodeImage", () => {
  it("decodes raw base64 of a JPEG to the same bytes", () => {
    const decoded = decodeImage(jpeg.toString("base64"), MAX);
    expect(decoded.contentType).toBe("image/jpeg");
    expect(decoded.bytes.equals(jpeg)).toBe(true);
  });

  it("takes a wrapped image that fits the limit though its wrapped text would not", () => {
    const wrapped = jpeg.toString("base64").replace(/.{76}/g, "$&\r\n");
    // The limit is the image's own size: the line breaks (about 2.6 % more text) must not count.
    expect(decodeImage(wrapped, jpeg.length).bytes.equals(jpeg)).toBe(true);
    expect(codeOf(() => decodeImage(wrapped, jpeg.length - 1))).toBe("IMAGE_TOO_LARGE");
  });

  it("decodes a JPEG data URL and base64 wrapped at 76 characters", () => {
    const wrapped = jpeg.toString("base64").replace(/.{76}/g, "$&\r\n");
    expect(decodeImage(`data:image/jpeg;base64,${wrapped}`, MAX).bytes.equals(jpeg)).toBe(true);
  });

  it("recognises a PNG by its magic bytes", () => {
    const png = Buffer.from(
      "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000049454e44ae426082",
      "hex",
    );
    expect(decodeImage(`data:image/png;base64,${png.toString("base64")}`, MAX)).toEqual({
      bytes: png,
      contentType: "image/png",
    });
  });

  it("refuses invalid base64", () => {
    expect(codeOf(() => decodeImage("not base64 at all!", MAX))).toBe("INVALID_IMAGE");
    expect(codeOf(() => decodeImage("abcde", MAX))).toBe("INVALID_IMAGE");
    expect(codeOf(() => decodeImage("data:image/jpeg;base64,@@@@", MAX))).toBe("INVALID_IMAGE");
  });

  it("refuses a real image's base64 with any one character replaced by one outside the standard alphabet", () => {
    const text = jpeg.toString("base64");
    for (const bad of ["-", "_", "!", ".", "=", "\u00e9", "\0"]) {
      for (const at of [0, 1, 2, 3, 1_000, text.length - 5, text.length - 2, text.length - 1]) {
        // A pad in place of the last character before a pad is still valid base64 (of other bytes).
        if (bad === "=" && text.slice(at + 1).startsWith("=")) continue;
        if (text[at] === "=") continue; // a pad replaced by a pad is the same text
        const broken = text.slice(0, at) + bad + text.slice(at + 1);
        expect(() => decodeImage(broken, MAX)).toThrow(/not valid base64/);
      }
    }
  });

  it("decides valid base64 exactly as the standard alphabet with up to two trailing pads says", () => {
    // The rule as a regex: the spec the faster check (decode and compare lengths) must agree with.
    const spec = (text: string) => text.length % 4 !== 1 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
    const alphabet = ["A", "Q", "w", "9", "+", "/", "=", "-", "_", "!", "\u00e9"];
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
    for (let i = 0; i < 3_000; i++) {
      const text = Array.from({ length: 1 + random(12) }, () => alphabet[random(alphabet.length)]).join("");
      const refusedAsBase64 = (() => {
        try {
          decodeImage(text, MAX);
          return false;
        } catch (error) {
          return /not valid base64/.test((error as Error).message);
        }
      })();
      expect({ text, valid: !refusedAsBase64 }).toEqual({ text, valid: spec(text) });
    }
  });

  it("refuses a truncated JPEG or PNG with 400 INVALID_IMAGE", () => {
    const png = Buffer.from(
      "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000049454e44ae426082",
      "hex",
    );
    for (const [bytes, type] of [
      [jpeg.subarray(0, Math.floor(jpeg.length / 2)), "JPEG"],
      [jpeg.subarray(0, 200), "JPEG"],
      [png.subarray(0, png.length - 12), "PNG"],
    ] as const) {
      expect(() => decodeImage(bytes.toString("base64"), MAX)).toThrow(new RegExp(`not a complete ${type}`));
      expect(codeOf(() => decodeImage(bytes.toString("base64"), MAX))).toBe("INVALID_IMAGE");
    }
  });

  it("refuses bytes that are neither JPEG nor PNG", () => {
    const gif = Buffer.from("GIF89a-not-a-face");
    expect(() => decodeImage(gif.toString("base64"), MAX)).toThrow(/JPEG or PNG/);
  });

  it("refuses data URLs of other types or not base64", () => {
    expect(() => decodeImage(`data:image/gif;base64,${jpeg.toString("base64")}`, MAX)).toThrow(/image\/gif/);
    expect(() => decodeImage(`data:text/plain;base64,${jpeg.toString("base64")}`, MAX)).toThrow(
      /image\/jpeg or image\/png/,
    );
    expect(() => decodeImage("data:image/jpeg,rawtext", MAX)).toThrow(/base64/);
    expect(() => decodeImage("data:garbage", MAX)).toThrow(/malformed data URL/);
  });

  it("refuses an image larger than the limit with 413 IMAGE_TOO_LARGE", () => {
    let error: unknown;
    try {
      decodeImage(jpeg.toString("base64"), jpeg.length - 1);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ statusCode: 413, code: "IMAGE_TOO_LARGE" });
    expect(decodeImage(jpeg.toString("base64"), jpeg.length).bytes.length).toBe(jpeg.length);
  });
});
