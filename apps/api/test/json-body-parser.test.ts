/** The JSON body parser's poisoning walk, on the shapes attackers send and on ordinary bodies. */
import { describe, expect, it } from "vitest";
import { hasPoisonedKey } from "../src/http/json-body-parser.ts";

describe("hasPoisonedKey", () => {
  it("refuses an own __proto__ or constructor.prototype key at any depth", () => {
    for (const text of [
      '{"__proto__":{"isAdmin":true}}',
      '{"a":{"b":[{"__proto__":1}]}}',
      '{"constructor":{"prototype":{"isAdmin":true}}}',
      '[{"x":{"constructor":{"prototype":null}}}]',
    ]) {
      expect(hasPoisonedKey(JSON.parse(text)), text).toBe(true);
    }
  });

  it("lets ordinary bodies through, including the words as values or harmless keys", () => {
    for (const text of [
      '{"image":"AAAA","bucket":"b","image_key":"k","external_image_id":"e"}',
      '{"note":"__proto__","constructor":"x"}',
      '{"constructor":{"name":"x"}}',
      "[]",
      "42",
      "null",
    ]) {
      expect(hasPoisonedKey(JSON.parse(text)), text).toBe(false);
    }
  });

  it("walks a body nested 100,000 deep without overflowing the stack", () => {
    const depth = 100_000;
    expect(hasPoisonedKey(JSON.parse(`${'{"a":'.repeat(depth)}{"__proto__":1}${"}".repeat(depth)}`))).toBe(true);
    expect(hasPoisonedKey(JSON.parse("[".repeat(depth) + "]".repeat(depth)))).toBe(false);
  });
});
