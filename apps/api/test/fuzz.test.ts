/**
 * Thousands of generated malformed requests: every one gets a 4xx with a `msg`, never a 5xx, a crash or a
 * job. Seeded (FUZZ_SEED=... to vary it), so a failure names the seed and case that reproduce it.
 */
import { afterAll, describe, expect, it } from "vitest";
import { facePhoto } from "@faceindex/testing";
import { bodyLimitFor } from "../src/http/body-limit.ts";
import { devToken } from "./support/harness.ts";
import { buildStubApp } from "./support/stub-app.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20_240_611);
const CASES = 3_000;
// Small, so oversize bodies stay cheap to build; the base image (7.5 KB) fits.
const MAX_IMAGE_BYTES = 64 * 1024;
const jpeg = facePhoto("same/A000371_1.jpg");
const { app, enqueued } = buildStubApp({ maxImageBytes: MAX_IMAGE_BYTES });
afterAll(() => app.close());

/** mulberry32: tiny, fast, and the same sequence for the same seed on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const random = prng(SEED);
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T;
const text = (length: number, alphabet: string) => Array.from({ length }, () => pick([...alphabet])).join("");

type Body = Record<string, unknown>;
const valid = (): Body => ({
  image: jpeg.toString("base64"),
  bucket: "kyc-faces",
  image_key: "customers/1/selfie.jpg",
  external_image_id: "customer-1",
  max_faces: 1,
  quality_filter: "AUTO",
});
const REQUIRED = ["image", "bucket", "image_key", "external_image_id"] as const;
const wrongValues = [42, -1, 1.5, true, false, [], ["a"], {}, { a: 1 }, null];

/** Each generator returns a JSON body (object) or raw payload bytes, always invalid in some way. */
const generators: Record<string, () => Body | string | Buffer> = {
  wrong_type: () => ({ ...valid(), [pick(REQUIRED)]: pick(wrongValues) }),
  wrong_number: () => ({ ...valid(), max_faces: pick([0, 101, -3, 2.5, "3", null, true, 1e300, [1]]) }),
  wrong_enum: () => ({
    ...valid(),
    quality_filter: pick(["auto", "", "BEST", 3, null, ["AUTO"], text(int(1, 20), "XYZ_")]),
  }),
  missing_fields: () => {
    const body = valid();
    for (const field of REQUIRED) if (random() < 0.5) delete body[field];
    if (REQUIRED.every((field) => field in body)) delete body[pick(REQUIRED)];
    return body;
  },
  empty_strings: () => ({ ...valid(), [pick(REQUIRED)]: "" }),
  huge_strings: () =>
    pick([
      () => ({ ...valid(), bucket: text(int(64, 20_000), "abc") }),
      () => ({ ...valid(), external_image_id: text(int(256, 20_000), "abc") }),
      () => ({ ...valid(), image_key: text(int(342, 5_000), "é€ø") }),
    ])(),
  invalid_base64: () => ({ ...valid(), image: text(int(1, 2_000), "ABCabc012+/=!@#$%^&*() -_.~") + "!" }),
  base64_bad_length: () => ({ ...valid(), image: jpeg.toString("base64").slice(0, int(1, 200) * 4 + 1) }),
  non_image_bytes: () => {
    const bytes = Buffer.from(Array.from({ length: int(1, 4_000) }, () => int(0, 255)));
    bytes[0] = int(0, 0x88); // never 0xFF (JPEG) or 0x89 (PNG)
    return { ...valid(), image: bytes.toString("base64") };
  },
  truncated_jpeg: () => ({ ...valid(), image: jpeg.subarray(0, int(1, jpeg.length - 1)).toString("base64") }),
  wrong_data_url: () => ({
    ...valid(),
    image: pick([
      `data:image/gif;base64,${jpeg.toString("base64")}`,
      `data:text/html;base64,${jpeg.toString("base64")}`,
      `data:image/jpeg,${jpeg.toString("base64")}`,
      `data:;base64,${jpeg.toString("base64")}`,
      `data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=`,
      "data:",
      `data:image/jpeg;base64,${text(int(1, 100), "!@#")}`,
    ]),
  }),
  invalid_bucket: () => ({
    ...valid(),
    bucket: pick([
      "ab",
      "Has-Upper",
      "under_score",
      "192.168.0.1",
      "a..b",
      "-start",
      "end-",
      "xn--idn",
      "x-s3alias",
      "sp ace",
      "é-bucket",
    ]),
  }),
  invalid_image_key: () => ({
    ...valid(),
    image_key: `key${pick(["\u0000", "\n", "\u001f", "\u007f", "\ud800", "\udfff", "\ufffd"])}x`,
  }),
  invalid_external_id: () => ({
    ...valid(),
    external_image_id: pick(["has space", "slash/no", "ünï", "tab\t", "a".repeat(256), "<script>"]),
  }),
  deep_json: () => {
    const depth = int(500, 20_000);
    return pick([
      () => "[".repeat(depth) + "]".repeat(depth),
      () => JSON.stringify({ ...valid(), bucket: "@" }).replace('"@"', '{"a":'.repeat(depth) + "1" + "}".repeat(depth)),
    ])();
  },
  prototype_pollution: () =>
    pick([
      () => JSON.stringify(valid()).replace(/}$/, ',"__proto__":{"isAdmin":true}}'),
      () => JSON.stringify(valid()).replace(/^{/, '{"constructor":{"prototype":{"isAdmin":true}},'),
      () => JSON.stringify({ ...valid(), bucket: "@" }).replace('"@"', '{"__proto__":{"polluted":1}}'),
    ])(),
  invalid_utf8: () => {
    const field = pick(["bucket", "image_key", "external_image_id"]);
    const json = JSON.stringify({ ...valid(), [field]: "@@" });
    const [before, after] = json.split("@@") as [string, string];
    const bad = pick([[0xc3, 0x28], [0xff], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]]);
    return Buffer.concat([Buffer.from(before), Buffer.from(bad), Buffer.from(after)]);
  },
  not_an_object: () => pick(["[]", "42", '"text"', "null", "true", '{"image":', "{,}", "", "\u0000"]),
  oversize_body: () => `{"image":"${"A".repeat(bodyLimitFor(MAX_IMAGE_BYTES) + int(1, 10_000))}"}`,
};

describe(`fuzz (seed ${SEED})`, () => {
  it(`answers ${CASES} malformed requests with a 4xx and a msg, and queues none`, async () => {
    const authorization = `Bearer ${await devToken()}`;
    const counts: Record<string, Record<number, number>> = {};
    const names = Object.keys(generators);
    for (let i = 0; i < CASES; i++) {
      const name = names[i % names.length] as string;
      const generated = (generators[name] as () => Body | string | Buffer)();
      const payload =
        typeof generated === "string" || Buffer.isBuffer(generated) ? generated : JSON.stringify(generated);
      const response = await app.inject({
        method: "POST",
        url: "/index_faces",
        headers: { authorization, "content-type": "application/json" },
        payload,
      });
      const where = `seed ${SEED}, case ${i} (${name}): ${response.statusCode} ${response.body.slice(0, 200)}`;
      expect(response.statusCode, where).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, where).toBeLessThan(500);
      expect(typeof response.json().msg, where).toBe("string");
      const byStatus = (counts[name] ??= {});
      byStatus[response.statusCode] = (byStatus[response.statusCode] ?? 0) + 1;
    }
    console.log(
      `fuzz seed ${SEED}: ${CASES} requests, all 4xx with msg; by generator and status: ${JSON.stringify(counts)}`,
    );
    expect(enqueued).toEqual([]);
    expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
  }, 300_000); // 3000 requests, some of megabytes: minutes on a loaded 2-core CI machine; bounds a hang only
});
