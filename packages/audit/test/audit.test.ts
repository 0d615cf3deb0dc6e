import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { uniqueName } from "@faceindex/testing";
import { auditPersonKey, InvalidAuditQueryError, readAudit, recordAudit, type AuditEntry } from "../src/index.ts";

const DAY_MS = 24 * 3600 * 1000;
let redis: Redis;
let prefix: string;

beforeAll(() => {
  redis = new Redis(inject("redisUrl"));
  prefix = `{${uniqueName("audit")}}`;
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

function entry(overrides: Partial<AuditEntry>): AuditEntry {
  return {
    time: new Date().toISOString(),
    action: "enrol",
    subject: "alice",
    external_image_id: "user-1",
    face_ids: ["face-1"],
    object_keys: ["selfies/u1.jpg"],
    request_id: "req-1",
    job_id: "job-1",
    outcome: { status: "indexed" },
    ...overrides,
  };
}

describe("audit trail", () => {
  it("answers a person's entries newest first, a page at a time, to the last", async () => {
    const scope = { prefix, tenant: "acme", retentionMs: 400 * DAY_MS };
    for (let i = 1; i <= 5; i++) await recordAudit(redis, scope, entry({ job_id: `job-${i}` }));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await readAudit(redis, scope, { externalImageId: "user-1", limit: 2, cursor });
      seen.push(...page.entries.map((e) => e.job_id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(seen).toEqual(["job-5", "job-4", "job-3", "job-2", "job-1"]);
    expect(pages).toBe(3);
    const [first] = (await readAudit(redis, scope, { externalImageId: "user-1", limit: 1 })).entries;
    expect(first).toMatchObject({
      action: "enrol",
      subject: "alice",
      face_ids: ["face-1"],
      outcome: { status: "indexed" },
    });
  });

  it("keeps each tenant's trail to itself, even for the same external id", async () => {
    await recordAudit(
      redis,
      { prefix, tenant: "t-a", retentionMs: DAY_MS },
      entry({ external_image_id: "p", job_id: "a" }),
    );
    await recordAudit(
      redis,
      { prefix, tenant: "t-b", retentionMs: DAY_MS },
      entry({ external_image_id: "p", job_id: "b" }),
    );
    const ofA = await readAudit(redis, { prefix, tenant: "t-a" }, { externalImageId: "p", limit: 10 });
    const ofB = await readAudit(redis, { prefix, tenant: "t-b" }, { externalImageId: "p", limit: 10 });
    expect(ofA.entries.map((e) => e.job_id)).toEqual(["a"]);
    expect(ofB.entries.map((e) => e.job_id)).toEqual(["b"]);
    // A ":" in a tenant cannot reach into another tenant's keys.
    expect(auditPersonKey(prefix, "x:ext:p", "q")).not.toBe(auditPersonKey(prefix, "x", "p:ext:q"));
  });

  it("files a search in the tenant's search trail and under every person it matched", async () => {
    const scope = { prefix, tenant: "searchers", retentionMs: DAY_MS };
    await recordAudit(
      redis,
      scope,
      entry({ action: "search", external_image_id: null, matched_external_ids: ["m1", "m2"], job_id: "s1" }),
    );
    await recordAudit(redis, scope, entry({ action: "search", external_image_id: null, job_id: "s2" }));
    const trail = await readAudit(redis, scope, { limit: 10 });
    expect(trail.entries.map((e) => e.job_id)).toEqual(["s2", "s1"]);
    for (const person of ["m1", "m2"]) {
      const page = await readAudit(redis, scope, { externalImageId: person, limit: 10 });
      expect(page.entries.map((e) => e.job_id)).toEqual(["s1"]);
    }
  });

  it("trims entries past retention on the next write, and lets an idle trail expire", async () => {
    const scope = { prefix, tenant: "old", retentionMs: 10 * DAY_MS };
    const now = Date.now();
    // Written "20 days ago" by giving the stream an explicit old id, as an old write would have.
    const key = auditPersonKey(prefix, "old", "p");
    await redis.xadd(key, `${now - 20 * DAY_MS}-0`, "entry", JSON.stringify(entry({ job_id: "ancient" })));
    await recordAudit(redis, scope, entry({ external_image_id: "p", job_id: "fresh" }), now);
    const page = await readAudit(redis, scope, { externalImageId: "p", limit: 10 });
    expect(page.entries.map((e) => e.job_id)).toEqual(["fresh"]);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(9 * DAY_MS);
    expect(ttl).toBeLessThanOrEqual(10 * DAY_MS);
  });

  it("refuses a bad limit or a cursor it did not hand out", async () => {
    const scope = { prefix, tenant: "acme" };
    await expect(readAudit(redis, scope, { externalImageId: "p", limit: 0 })).rejects.toThrow(InvalidAuditQueryError);
    await expect(readAudit(redis, scope, { externalImageId: "p", limit: 5000 })).rejects.toThrow(
      InvalidAuditQueryError,
    );
    await expect(readAudit(redis, scope, { externalImageId: "p", limit: 5, cursor: "+" })).rejects.toThrow(
      InvalidAuditQueryError,
    );
  });

  it("answers an empty page for someone never recorded", async () => {
    const page = await readAudit(redis, { prefix, tenant: "acme" }, { externalImageId: "nobody", limit: 5 });
    expect(page).toEqual({ entries: [], nextCursor: null });
  });
});
