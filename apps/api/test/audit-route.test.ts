/** GET /audit over the real app and Redis, reading trails as the worker writes them (packages/audit recordAudit). */
import { afterEach, describe, expect, inject, it } from "vitest";
import { recordAudit, type AuditEntry } from "@faceindex/audit";
import { tenantsAccess } from "./support/access.ts";
import { createHarness, devToken, type Harness } from "./support/harness.ts";

const redisUrl = inject("redisUrl");
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const DAY_MS = 24 * 3600 * 1000;

function entry(action: AuditEntry["action"], externalImageId: string, n: number): AuditEntry {
  return {
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    action,
    subject: "backend-1",
    external_image_id: externalImageId,
    face_ids: [`face-${n}`],
    object_keys: [`selfies/${externalImageId}/${n}.jpg`],
    request_id: `req-${n}`,
    job_id: `job-${n}`,
    outcome: { status: action === "erase" ? "deleted" : "indexed" },
  };
}

async function getAudit(h: Harness, query: string, tenant: string, scopes?: string[]) {
  const token = await devToken("auditor", { tenant, ...(scopes ? { scopes } : {}) });
  return h.app.inject({ method: "GET", url: `/audit${query}`, headers: { authorization: `Bearer ${token}` } });
}

describe("GET /audit", () => {
  it("answers a person's trail newest first, a page at a time, for the caller's tenant only", async () => {
    const h = (harness = await createHarness(redisUrl, {
      access: tenantsAccess({ acme: { buckets: ["acme-kyc"] }, globex: { buckets: ["globex-kyc"] } }),
    }));
    const acme = { prefix: h.prefix, tenant: "acme", retentionMs: 400 * DAY_MS };
    const actions: AuditEntry["action"][] = ["enrol", "refuse", "enrol", "erase"];
    for (const [n, action] of actions.entries()) await recordAudit(h.commands, acme, entry(action, "user-7", n));
    // The same external id in another tenant is another person.
    await recordAudit(h.commands, { ...acme, tenant: "globex" }, entry("enrol", "user-7", 9));

    const first = await getAudit(h, "?external_image_id=user-7&limit=3", "acme");
    expect(first.statusCode).toBe(200);
    const page1 = first.json().data;
    expect(page1.entries.map((e: AuditEntry) => [e.action, e.job_id])).toEqual([
      ["erase", "job-3"],
      ["enrol", "job-2"],
      ["refuse", "job-1"],
    ]);
    expect(page1.next_cursor).toEqual(expect.any(String));
    const second = await getAudit(h, `?external_image_id=user-7&limit=3&cursor=${page1.next_cursor}`, "acme");
    expect(second.json().data).toMatchObject({ entries: [{ action: "enrol", job_id: "job-0" }], next_cursor: null });
    // Everything an auditor asks about, and nothing more (no bytes, no token).
    expect(Object.keys(second.json().data.entries[0]).sort()).toEqual(
      ["id", ...Object.keys(entry("enrol", "x", 0))].sort(),
    );

    const globex = await getAudit(h, "?external_image_id=user-7", "globex");
    expect(globex.json().data.entries.map((e: AuditEntry) => e.job_id)).toEqual(["job-9"]);
    const nobody = await getAudit(h, "?external_image_id=user-8", "acme");
    expect(nobody.json()).toEqual({ success: true, data: { entries: [], next_cursor: null } });
  });

  it("needs audit:read, and answers 400 with a code for a bad limit or cursor", async () => {
    const h = (harness = await createHarness(redisUrl, { access: tenantsAccess({ acme: { buckets: ["acme-kyc"] } }) }));
    const denied = await getAudit(h, "?external_image_id=user-7", "acme", ["faces:index", "faces:search"]);
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ code: "INSUFFICIENT_SCOPE", required_scope: "audit:read" });
    const badLimit = await getAudit(h, "?external_image_id=user-7&limit=0", "acme");
    expect(badLimit.statusCode).toBe(400);
    expect(badLimit.json()).toMatchObject({ code: "INVALID_LIMIT" });
    const badCursor = await getAudit(h, "?external_image_id=user-7&cursor=not-a-cursor", "acme");
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json()).toMatchObject({ code: "INVALID_CURSOR" });
    const unknownParam = await getAudit(h, "?external_id=user-7", "acme");
    expect(unknownParam.statusCode).toBe(400);
    expect(unknownParam.json()).toEqual({ code: "INVALID_EXTERNAL_IMAGE_ID", msg: "external_image_id is required" });
  });
});
