/**
 * POST /index_faces as multipart/form-data (an `image` file part plus the JSON body's fields as text):
 * the same job as the JSON request, the same validation and the same answers.
 */
import { afterEach, describe, expect, inject, it } from "vitest";
import type { IndexFacesJob } from "@faceindex/contracts";
import { createHarness, devToken, obamaJpeg, postJson, validBody, type Harness } from "./support/harness.ts";
import { indexedOutcome } from "./support/outcomes.ts";

const redisUrl = inject("redisUrl");
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** What a browser or `curl -F` sends: the fields as text parts, the image as a file part. */
async function postForm(h: Harness, fields: Record<string, string>, image?: { bytes: Buffer; type: string }) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  if (image) form.append("image", new Blob([image.bytes], { type: image.type }), "selfie.jpg");
  const encoded = new Request("http://localhost/", { method: "POST", body: form });
  return h.app.inject({
    method: "POST",
    url: "/index_faces",
    headers: {
      authorization: `Bearer ${await devToken()}`,
      "content-type": encoded.headers.get("content-type")!,
    },
    payload: Buffer.from(await encoded.arrayBuffer()),
  });
}

const fields = { bucket: "kyc-faces", image_key: "customers/42/selfie.jpg", external_image_id: "customer-42" };
const jpeg = { bytes: obamaJpeg, type: "image/jpeg" };

describe("POST /index_faces as multipart/form-data", () => {
  it("is the same request as the JSON one: same job (so it attaches to it), same parked bytes, same answer", async () => {
    const h = (harness = await createHarness(redisUrl));
    const seen: { job: IndexFacesJob; parked: Buffer | null }[] = [];
    await h.startWorker(async (job) => {
      seen.push({ job: job.data, parked: await h.commands.getBuffer(job.data.imageKey) });
      return indexedOutcome(job);
    });

    const form = await postForm(h, { ...fields, max_faces: "3", quality_filter: "HIGH" }, jpeg);
    const json = await postJson(h.app, "/index_faces", validBody({ max_faces: 3, quality_filter: "HIGH" }));

    expect(form.statusCode, form.body).toBe(200);
    expect(json.statusCode).toBe(200);
    expect(form.headers["x-job-id"]).toBe(json.headers["x-job-id"]);
    expect(form.json()).toEqual(json.json());
    // The test worker keeps no gallery mapping, so the JSON replay finds the first face "erased" and runs
    // the job again: the worker sees the two requests' jobs, which must be the same.
    expect(seen).toHaveLength(2);
    // Each request's own trace (its request id) travels with its run; everything else is the same job.
    const withoutTrace = (job: object | undefined) => ({ ...job, trace: undefined });
    expect(withoutTrace(seen[1]?.job)).toEqual(withoutTrace(seen[0]?.job));
    expect(seen[0]?.job).toMatchObject({ maxFaces: 3, qualityFilter: "HIGH", contentType: "image/jpeg" });
    expect(seen.every(({ parked }) => parked?.equals(obamaJpeg))).toBe(true);
  });

  it("refuses what the JSON body refuses, with the same answers", async () => {
    const h = (harness = await createHarness(redisUrl, { maxImageBytes: 6_000 }));
    const cases = [
      { form: { ...fields, max_faces: "abc" }, json: { max_faces: "abc" } },
      { form: { ...fields, max_faces: "0" }, json: { max_faces: 0 } },
      { form: { ...fields, external_image_id: "no spaces" }, json: { external_image_id: "no spaces" } },
    ];
    for (const { form, json } of cases) {
      const small = { bytes: obamaJpeg.subarray(0, 4_000), type: "image/jpeg" };
      const viaForm = await postForm(h, form, small);
      const viaJson = await postJson(
        h.app,
        "/index_faces",
        validBody({ image: small.bytes.toString("base64"), ...json }),
      );
      expect(viaForm.statusCode).toBe(400);
      expect(viaForm.json()).toEqual(viaJson.json());
    }
    const missing = await postForm(h, fields);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().msg).toMatch(/image/);
    const notImage = await postForm(h, fields, { bytes: Buffer.from("GIF89a not a face"), type: "image/gif" });
    expect(notImage.json()).toMatchObject({ code: "INVALID_IMAGE", msg: expect.stringMatching(/JPEG or PNG/) });
    const tooLarge = await postForm(h, fields, jpeg);
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json()).toMatchObject({ code: "IMAGE_TOO_LARGE" });
    expect(await h.queue.getWaitingCount()).toBe(0);
  });
});
