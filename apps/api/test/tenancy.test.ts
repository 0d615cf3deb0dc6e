/**
 * Tenants over the real app, Redis and BullMQ: the tenant comes from the token, the buckets and collection
 * from the server's configuration, and nothing of one tenant's jobs is visible to another.
 */
import { afterEach, describe, expect, inject, it } from "vitest";
import { IMAGE_KEY_TAKEN, failedOutcome, type IndexFacesJob } from "@faceindex/contracts";
import { singleTenantAccess, tenantsAccess } from "./support/access.ts";
import { createHarness, devToken, getJob, postJson, validBody, type Harness } from "./support/harness.ts";
import { indexedOutcome } from "./support/outcomes.ts";

const redisUrl = inject("redisUrl");
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const TENANTS = {
  acme: { buckets: ["acme-kyc"] },
  globex: { buckets: ["globex-kyc"], collection_id: "globex-faces" },
};

async function as(tenant: string | undefined, subject = "kyc-user-1"): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await devToken(subject, tenant === undefined ? {} : { tenant })}` };
}

/** Every job in any of the harness's queues, and every parked image under its prefix. */
async function leftBehind(h: Harness): Promise<{ jobs: number; parked: string[] }> {
  let jobs = 0;
  for (const lane of Object.values(h.lanes)) jobs += await (lane.queue as unknown as Harness["queue"]).count();
  return { jobs, parked: await h.commands.keys(`${h.prefix}:*:image:*`) };
}

describe("tenants", () => {
  it("refuses a token without a tenant, or with an unknown one, when tenants are configured", async () => {
    const h = (harness = await createHarness(redisUrl, { access: tenantsAccess(TENANTS) }));
    const missing = await postJson(h.app, "/index_faces", validBody({ bucket: "acme-kyc" }), {
      headers: await as(undefined),
    });
    const unknown = await postJson(h.app, "/index_faces", validBody({ bucket: "acme-kyc" }), {
      headers: await as("initech"),
    });
    expect(missing.statusCode).toBe(403);
    expect(missing.json()).toEqual({ code: "TENANT_REQUIRED", msg: expect.stringMatching(/no tenant claim/) });
    expect(unknown.statusCode).toBe(403);
    expect(unknown.json()).toEqual({ code: "UNKNOWN_TENANT", msg: 'tenant "initech" is not configured here' });
    expect(await leftBehind(h)).toEqual({ jobs: 0, parked: [] });
  });

  it("refuses a tenant claim on a single-tenant service: it cannot land in the default tenant's data", async () => {
    const h = (harness = await createHarness(redisUrl, { access: singleTenantAccess("test-collection") }));
    const response = await postJson(h.app, "/index_faces", validBody(), { headers: await as("acme") });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: "UNKNOWN_TENANT" });
  });

  it("answers 403 BUCKET_NOT_ALLOWED for another tenant's bucket, with nothing queued or parked", async () => {
    const h = (harness = await createHarness(redisUrl, { access: tenantsAccess(TENANTS) }));
    const headers = await as("acme");
    const index = await postJson(h.app, "/index_faces", validBody({ bucket: "globex-kyc" }), { headers });
    const erase = await postJson(
      h.app,
      "/delete_faces_from_collection",
      { bucket: "globex-kyc", external_image_id: "customer-42", delete_image: true },
      { headers },
    );
    for (const response of [index, erase]) {
      expect(response.statusCode).toBe(403);
      expect(response.json()).toEqual({
        code: "BUCKET_NOT_ALLOWED",
        msg: "bucket globex-kyc is not one of this tenant's buckets",
      });
    }
    expect(await leftBehind(h)).toEqual({ jobs: 0, parked: [] });
  });

  it("single-tenant: writes only to ALLOWED_BUCKETS", async () => {
    const h = (harness = await createHarness(redisUrl));
    const response = await postJson(h.app, "/index_faces", validBody({ bucket: "someone-elses-bucket" }));
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: "BUCKET_NOT_ALLOWED" });
    expect(await leftBehind(h)).toEqual({ jobs: 0, parked: [] });
  });

  it("puts the tenant and its collection in the job, and keeps tenant A's job invisible to B", async () => {
    // No collection_id configured: each tenant's collection is derived from COLLECTION_ID.
    const h = (harness = await createHarness(redisUrl, {
      access: tenantsAccess({ acme: { buckets: ["acme-kyc"] }, globex: { buckets: ["globex-kyc"] } }),
    }));
    const seen: IndexFacesJob[] = [];
    await h.startWorker(async (job) => {
      seen.push(job.data);
      return indexedOutcome(job);
    });
    const key = { "idempotency-key": "same-key-1" };
    const a = await postJson(h.app, "/index_faces", validBody({ bucket: "acme-kyc" }), {
      headers: { ...(await as("acme")), ...key },
    });
    expect(a.statusCode).toBe(200);
    expect(seen[0]).toMatchObject({ tenant: "acme", collectionId: "test-collection-acme", subject: "kyc-user-1" });
    const aJob = a.headers["x-job-id"] as string;
    const aRequest = a.headers["x-request-id"] as string;

    // Same subject, same Idempotency-Key, in another tenant: its own job, never A's outcome.
    const b = await postJson(h.app, "/index_faces", validBody({ bucket: "globex-kyc" }), {
      headers: { ...(await as("globex")), ...key },
    });
    expect(b.statusCode).toBe(200);
    expect(b.headers["x-job-id"]).not.toBe(aJob);
    expect(seen).toHaveLength(2);
    expect(seen[1]).toMatchObject({ tenant: "globex", collectionId: "test-collection-globex" });

    const bToken = `Bearer ${await devToken("kyc-user-1", { tenant: "globex" })}`;
    const aToken = `Bearer ${await devToken("kyc-user-1", { tenant: "acme" })}`;
    const lookup = (id: string, authorization: string) =>
      h.app.inject({ method: "GET", url: `/jobs/${id}`, headers: { authorization } });
    for (const id of [aJob, aRequest]) {
      const foreign = await lookup(id, bToken);
      expect(foreign.statusCode).toBe(404);
      expect(foreign.json()).toEqual({ code: "JOB_NOT_FOUND", msg: `no job found for ${id}` });
      expect((await lookup(id, aToken)).json()).toEqual(a.json());
    }
    // The default tenant's getJob helper (no tenant claim) is refused outright here.
    expect((await getJob(h.app, aJob)).statusCode).toBe(403);
  });

  it("answers 409 IMAGE_KEY_TAKEN when the worker finds the key holding another person's image", async () => {
    const h = (harness = await createHarness(redisUrl));
    await h.startWorker(async () =>
      failedOutcome(IMAGE_KEY_TAKEN, "image_key customers/42/selfie.jpg holds another person's image", false),
    );
    const response = await postJson(h.app, "/index_faces", validBody());
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({
      code: "IMAGE_KEY_TAKEN",
      msg: "image_key customers/42/selfie.jpg holds another person's image",
    });
  });
});
