/** TENANTS / TENANTS_FILE are checked at start, with errors that name the problem. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { accessPolicyFrom } from "../src/auth/access-config.ts";
import { parseTenants } from "../src/auth/tenants.ts";
import { parseConfig } from "../src/config.ts";

const SECRET = "s".repeat(32);
const read = (path: string) => readFileSync(path, "utf8");

describe("tenants configuration", () => {
  it("derives each tenant's collection from COLLECTION_ID unless it sets its own", () => {
    const tenants = parseTenants(
      '{"acme":{"buckets":["acme-kyc"]},"globex":{"buckets":["globex-kyc","globex-eu"],"collection_id":"gx"}}',
      "TENANTS",
      "faceindex",
    );
    expect([...tenants.values()].map((t) => [t.name, t.collectionId, [...t.buckets]])).toEqual([
      ["acme", "faceindex-acme", ["acme-kyc"]],
      ["globex", "gx", ["globex-kyc", "globex-eu"]],
    ]);
  });

  it.each([
    ["{not json", /TENANTS is not valid JSON/],
    ["{}", /lists no tenant/],
    ['{"acme":{}}', /acme.buckets: Invalid input/],
    ['{"acme":{"buckets":[]}}', /acme.buckets: needs at least one bucket/],
    ['{"acme":{"buckets":["Not_A_Bucket"]}}', /acme.buckets.0: must be an S3 bucket name/],
    ['{"ac:me":{"buckets":["acme-kyc"]}}', /tenant "ac:me": names are 1-64/],
    ['{"acme":{"buckets":["acme-kyc"],"colection_id":"x"}}', /Unrecognized key.*colection_id/],
    [
      '{"a":{"buckets":["a-kyc"],"collection_id":"shared"},"b":{"buckets":["b-kyc"],"collection_id":"shared"}}',
      /a and b share collection shared/,
    ],
    ['{"a":{"buckets":["kyc"]},"b":{"buckets":["kyc"]}}', /a and b share bucket kyc/],
  ])("refuses %s", (text, error) => {
    expect(() => parseTenants(text, "TENANTS", "faceindex")).toThrow(error);
  });

  it("reads TENANTS_FILE, and says which file it could not read", () => {
    const dir = mkdtempSync(join(tmpdir(), "tenants-"));
    const file = join(dir, "tenants.json");
    writeFileSync(file, '{"acme":{"buckets":["acme-kyc"]}}');
    const policy = accessPolicyFrom(parseConfig({ JWT_SECRET: SECRET, TENANTS_FILE: file }), read);
    expect(policy.tenants.kind === "multi" && [...policy.tenants.byName.keys()]).toEqual(["acme"]);
    const missing = parseConfig({ JWT_SECRET: SECRET, TENANTS_FILE: join(dir, "nope.json") });
    expect(() => accessPolicyFrom(missing, read)).toThrow(/TENANTS_FILE .*nope.json cannot be read/);
    writeFileSync(file, '{"acme":{"buckets":[]}}');
    expect(() => accessPolicyFrom(parseConfig({ JWT_SECRET: SECRET, TENANTS_FILE: file }), read)).toThrow(
      /TENANTS_FILE \(.*tenants.json\) is invalid: acme.buckets/,
    );
  });

  it("is single-tenant over ALLOWED_BUCKETS without tenants", () => {
    const policy = accessPolicyFrom(parseConfig({ JWT_SECRET: SECRET, ALLOWED_BUCKETS: "kyc-faces" }), read);
    expect(policy.tenants).toEqual({
      kind: "single",
      tenant: { name: "default", collectionId: "faceindex", buckets: new Set(["kyc-faces"]) },
    });
  });
});
