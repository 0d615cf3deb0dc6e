/** The environment schema: defaults, the one-key-source rule, and clear errors. */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.ts";

const SECRET = "s".repeat(32);
// Required without tenants: every config below that should parse names its buckets.
const BUCKETS = { ALLOWED_BUCKETS: "kyc-faces" };

describe("parseConfig", () => {
  it("applies the defaults", () => {
    expect(parseConfig({ JWT_SECRET: SECRET, ...BUCKETS })).toEqual({
      PORT: 3000,
      HOST: "0.0.0.0",
      METRICS_PORT: 9464,
      METRICS_HOST: "127.0.0.1",
      REDIS_URL: "redis://127.0.0.1:6379",
      REDIS_CLUSTER: false,
      QUEUE_PREFIX: "{faceindex}",
      COLLECTION_ID: "faceindex",
      JWT_SECRET: SECRET,
      JWT_PUBLIC_KEY: undefined,
      JWT_JWKS_URL: undefined,
      JWT_ISSUER: undefined,
      JWT_AUDIENCE: undefined,
      JWT_MAX_TOKEN_AGE: 86_400,
      MAX_IMAGE_BYTES: 15 * 1024 * 1024,
      SYNC_TIMEOUT_MS: 30_000,
      MAX_BACKLOG: 1_000,
      REDIS_MEMORY_HIGH_WATER: 0.8,
      MAX_IN_FLIGHT: 256,
      MAX_IN_FLIGHT_BYTES: 192 * 1024 * 1024,
      MAX_IN_FLIGHT_PER_CALLER: 32,
      BODY_TIMEOUT_MS: 15_000,
      QUALITY_GATE: "off",
      JWT_TENANT_CLAIM: "tenant",
      JWT_DEFAULT_SCOPES: [],
      TENANTS: undefined,
      TENANTS_FILE: undefined,
      ALLOWED_BUCKETS: ["kyc-faces"],
      LOG_LEVEL: "info",
    });
  });

  it("parses numbers and keeps the optional claims", () => {
    const config = parseConfig({
      ...BUCKETS,
      JWT_JWKS_URL: "https://id.example/jwks.json",
      JWT_ISSUER: "https://id.example",
      JWT_AUDIENCE: "faceindex",
      PORT: "8080",
      MAX_IMAGE_BYTES: "1048576",
      SYNC_TIMEOUT_MS: "5000",
      REDIS_MEMORY_HIGH_WATER: "0.9",
      MAX_IN_FLIGHT: "64",
      METRICS_PORT: "0",
      LOG_LEVEL: "warn",
    });
    expect(config).toMatchObject({
      PORT: 8080,
      MAX_IMAGE_BYTES: 1_048_576,
      SYNC_TIMEOUT_MS: 5000,
      REDIS_MEMORY_HIGH_WATER: 0.9,
      MAX_IN_FLIGHT: 64,
      METRICS_PORT: 0,
      JWT_AUDIENCE: "faceindex",
    });
  });

  it("turns \\n escapes of a one-line PEM into newlines", () => {
    const config = parseConfig({
      ...BUCKETS,
      JWT_PUBLIC_KEY: "-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----",
    });
    expect(config.JWT_PUBLIC_KEY).toBe("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----");
  });

  it("requires exactly one key source", () => {
    expect(() => parseConfig({})).toThrow(/exactly one of JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS_URL/);
    expect(() => parseConfig({ JWT_SECRET: "   " })).toThrow(/exactly one/);
    expect(() => parseConfig({ JWT_SECRET: SECRET, JWT_JWKS_URL: "https://id.example/jwks.json" })).toThrow(
      /exactly one/,
    );
  });

  it("names each bad variable", () => {
    expect(() => parseConfig({ JWT_SECRET: "short" })).toThrow(/JWT_SECRET: JWT_SECRET must be at least 32/);
    expect(() => parseConfig({ JWT_SECRET: SECRET, PORT: "http" })).toThrow(/PORT/);
    expect(() => parseConfig({ JWT_SECRET: SECRET, REDIS_URL: "not a url" })).toThrow(/REDIS_URL/);
    expect(() => parseConfig({ JWT_SECRET: SECRET, LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL/);
    expect(() => parseConfig({ JWT_SECRET: SECRET, SYNC_TIMEOUT_MS: "0" })).toThrow(/SYNC_TIMEOUT_MS/);
    expect(() => parseConfig({ JWT_SECRET: SECRET, REDIS_MEMORY_HIGH_WATER: "80" })).toThrow(/REDIS_MEMORY_HIGH_WATER/);
    expect(() => parseConfig({ JWT_SECRET: SECRET, REDIS_MEMORY_HIGH_WATER: "0" })).toThrow(/REDIS_MEMORY_HIGH_WATER/);
    expect(() => parseConfig({ JWT_SECRET: SECRET, MAX_IN_FLIGHT: "0" })).toThrow(/MAX_IN_FLIGHT/);
    expect(() => parseConfig({ JWT_SECRET: SECRET, QUALITY_GATE: "on" })).toThrow(/QUALITY_GATE/);
  });

  it("takes QUALITY_GATE enforce as the default of index_faces bodies that do not choose", () => {
    expect(parseConfig({ JWT_SECRET: SECRET, ...BUCKETS, QUALITY_GATE: "enforce" }).QUALITY_GATE).toBe("enforce");
  });
  it("requires the buckets of a single-tenant service, and takes tenants instead", () => {
    expect(() => parseConfig({ JWT_SECRET: SECRET })).toThrow(/ALLOWED_BUCKETS/);
    expect(parseConfig({ JWT_SECRET: SECRET, ALLOWED_BUCKETS: " a-kyc, b-kyc ,," }).ALLOWED_BUCKETS).toEqual([
      "a-kyc",
      "b-kyc",
    ]);
    expect(parseConfig({ JWT_SECRET: SECRET, TENANTS: '{"acme":{"buckets":["acme-kyc"]}}' }).ALLOWED_BUCKETS).toEqual(
      [],
    );
    expect(() => parseConfig({ JWT_SECRET: SECRET, TENANTS: "{}", TENANTS_FILE: "/etc/tenants.json" })).toThrow(
      /TENANTS or TENANTS_FILE, not both/,
    );
  });

  it("parses JWT_DEFAULT_SCOPES and JWT_TENANT_CLAIM, naming an unknown scope", () => {
    const config = parseConfig({
      ...BUCKETS,
      JWT_SECRET: SECRET,
      JWT_DEFAULT_SCOPES: "faces:search, jobs:read",
      JWT_TENANT_CLAIM: "https://acme.example/tenant",
    });
    expect(config.JWT_DEFAULT_SCOPES).toEqual(["faces:search", "jobs:read"]);
    expect(config.JWT_TENANT_CLAIM).toBe("https://acme.example/tenant");
    expect(() => parseConfig({ ...BUCKETS, JWT_SECRET: SECRET, JWT_DEFAULT_SCOPES: "faces:everything" })).toThrow(
      /JWT_DEFAULT_SCOPES/,
    );
  });
});
