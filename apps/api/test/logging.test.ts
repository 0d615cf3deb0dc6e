/** Logs never carry the token, the secret or the image, whatever the request does. */
import { afterEach, describe, expect, inject, it } from "vitest";
import { createHarness, devToken, obamaJpeg, TEST_SECRET, validBody, type Harness } from "./support/harness.ts";

const redisUrl = inject("redisUrl");
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("request logging", () => {
  it("logs requests without the Authorization header, the secret or image bytes", async () => {
    const h = (harness = await createHarness(redisUrl, { logLevel: "trace" }));
    await h.startWorker(async () => {
      throw new Error("worker exploded");
    });
    const token = await devToken();
    const image = obamaJpeg.toString("base64");
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };

    const responses = [
      // Enqueued; the worker throws (retries, then fails for good: PROCESSING_FAILED).
      await h.app.inject({ method: "POST", url: "/index_faces", headers, payload: validBody({ image }) }),
      // Refused by validation after the image was read.
      await h.app.inject({ method: "POST", url: "/index_faces", headers, payload: validBody({ image, bucket: "X" }) }),
      // Broken JSON whose parse error could quote the body.
      await h.app.inject({
        method: "POST",
        url: "/index_faces",
        headers,
        payload: `{"image":"${image.slice(0, 5000)}`,
      }),
      // A wrong token.
      await h.app.inject({
        method: "POST",
        url: "/index_faces",
        headers: { ...headers, authorization: `Bearer ${token}x` },
      }),
      // A token in the query string, on the outcome route.
      await h.app.inject({ method: "GET", url: `/jobs/unknown-request-1?access_token=${token}`, headers }),
    ];

    expect(responses.map((response) => response.statusCode)).toEqual([400, 400, 400, 401, 404]);
    const logs = h.logs();
    for (const response of responses) expect(logs).toContain(String(response.headers["x-request-id"]));
    expect(logs).toContain("request refused");
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(token.split(".")[2]);
    expect(logs).not.toContain(TEST_SECRET);
    for (const offset of [0, 1000, 4000]) expect(logs).not.toContain(image.slice(offset, offset + 40));
  });
});
